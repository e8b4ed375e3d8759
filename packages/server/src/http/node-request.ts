/**
 * node:http IncomingMessage → fetch Request. The body is a ReadableStream fed from the socket with
 * backpressure (the socket is paused while ~64 KiB sit unread), so a handler that rejects a request early
 * never causes the rest of the body to be buffered. Cancelling the body only stops reading; it does not
 * destroy the socket, so a response (e.g. 413) can still be written, after which the adapter closes the
 * connection. A client disconnecting mid-upload errors the stream and aborts `request.signal`.
 *
 * The URL's origin comes from the Host header only when it looks like a host; the path is kept verbatim.
 */
import type { IncomingMessage } from 'node:http'

const BODY_HIGH_WATER = 64 * 1024
const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/

const addresses = new WeakMap<Request, string>()

/** The peer address of the TCP connection a Request arrived on (no proxy headers are trusted). */
export function clientAddress(req: Request): string | undefined {
  // LightRequests (light-request.ts) carry their node request.
  return addresses.get(req) ?? (req as { incoming?: IncomingMessage }).incoming?.socket?.remoteAddress
}

export function requestUrl(req: IncomingMessage): string {
  const raw = req.url ?? '/'
  if (/^https?:\/\//i.test(raw)) {
    // Absolute-form request target (proxies): keep only path and query.
    const u = new URL(raw)
    return `http://${hostOf(req)}${u.pathname}${u.search}`
  }
  return `http://${hostOf(req)}${raw.startsWith('/') ? raw : `/${raw}`}`
}

function hostOf(req: IncomingMessage): string {
  // From rawHeaders (the first Host, as node keeps it): `req.headers` would build an object of them all.
  const raw = req.rawHeaders
  let h: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') {
      h = raw[i + 1]
      break
    }
  }
  return h && HOST_RE.test(h) ? h : 'localhost'
}

export function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1])
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const request = new Request(requestUrl(req), {
    method,
    headers,
    signal,
    ...(hasBody ? { body: requestBody(req), duplex: 'half' } : {}),
  } as RequestInit)
  if (req.socket.remoteAddress) addresses.set(request, req.socket.remoteAddress)
  return request
}

export function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let done = false
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.pause()
        req.on('data', (chunk: Buffer) => {
          if (done) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.on('end', () => {
          if (done) return
          done = true
          controller.close()
        })
        req.on('error', (err) => {
          if (done) return
          done = true
          controller.error(err)
        })
        req.on('close', () => {
          if (done || req.complete) return
          done = true
          controller.error(new Error('client closed the connection before the request body ended'))
        })
      },
      pull() {
        if (!done) req.resume()
      },
      cancel() {
        // Stop reading but keep the socket: the response still has to go out.
        done = true
        req.pause()
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: BODY_HIGH_WATER }),
  )
}
