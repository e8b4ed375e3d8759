/**
 * `serveFetch(handler, {port, host})`: serves a fetch-style handler (Request → Response) over node:http.
 * Request bodies stream in with backpressure (node-request.ts); response bodies stream out chunk by chunk,
 * waiting for 'drain', so a slow client holds at most one chunk in memory. When the client goes away the
 * request's `signal` aborts and the response body is cancelled (an async-generator source gets its
 * `finally`). If the response is sent before the request body was fully read (an early 413, say), the
 * connection is closed afterwards instead of reading the rest of an unwanted upload.
 *
 * WebSocket upgrades go to `upgrade(request)`, which either accepts (returns a function that receives the
 * `ws` socket) or refuses with a plain HTTP Response. Without an upgrade handler, upgrades get 501.
 *
 * Not done here: TLS, proxy headers (X-Forwarded-*), compression, routing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { type Duplex, Readable } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { LightRequest } from './light-request.ts'
import { toRequest } from './node-request.ts'
import { RAW_HANDLER, type RawHandler, type Reply, type ReplyOrResponse } from './reply.ts'

export type FetchHandler = (req: Request) => Promise<Response> | Response
/** Accept: a function that takes over the socket. Refuse: an HTTP response sent instead of the upgrade. */
export type UpgradeResult = Response | ((ws: WebSocket) => void)
export type UpgradeHandler = (req: Request) => Promise<UpgradeResult> | UpgradeResult

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number
  /** Default 127.0.0.1. Use '0.0.0.0' or '::' to listen on every interface. */
  host?: string
  upgrade?: UpgradeHandler
  /** Errors that cannot become a response (handler crashed, response stream failed midway, socket errors). */
  onError?: (err: unknown) => void
  /** Largest WebSocket message accepted from clients (atproto streams are one-way). Default 64 KiB. */
  maxWebSocketPayload?: number
  /** How long close() lets in-flight requests finish before cutting them. Default 5000 ms. */
  closeGraceMs?: number
}

export interface ServedHandle {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

type HandlerLike = FetchHandler | { handle: FetchHandler; upgrade?: UpgradeHandler; [RAW_HANDLER]?: RawHandler }

/** Starts listening; resolves once the port is bound. */
export async function serveFetch(handlerLike: HandlerLike, opts: ServeOptions): Promise<ServedHandle> {
  // Objects such as the XRPC router may offer a variant that skips building fetch Responses.
  // Raw handlers also get LightRequests (light-request.ts) instead of fetch Requests.
  const raw = typeof handlerLike === 'function' ? undefined : handlerLike[RAW_HANDLER]?.bind(handlerLike)
  const handler: RawHandler | FetchHandler =
    raw ?? (typeof handlerLike === 'function' ? handlerLike : handlerLike.handle.bind(handlerLike))
  const upgrade =
    opts.upgrade ?? (typeof handlerLike === 'function' ? undefined : handlerLike.upgrade?.bind(handlerLike))
  const onError = opts.onError ?? (() => {})
  const conns = new Connections()
  const server = createServer((req, res) => {
    conns.begin(req.socket)
    // While closing, answer in-flight requests but do not keep their connections alive.
    if (conns.closing) res.shouldKeepAlive = false
    onRequest(handler, raw !== undefined, req, res, conns, onError).catch(onError)
  })
  server.on('connection', (socket: Socket) => conns.add(socket))
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxWebSocketPayload ?? 64 * 1024 })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket)
    onUpgrade(upgrade, wss, req, socket, head, onError).catch(onError)
  })
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code !== 'ECONNRESET' && socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close: once(() => closeServer(server, wss, conns, opts.closeGraceMs ?? 5000)),
  }
}

async function onRequest(
  handler: RawHandler | FetchHandler,
  light: boolean,
  req: IncomingMessage,
  res: ServerResponse,
  conns: Connections,
  onError: (err: unknown) => void,
): Promise<void> {
  let lr: LightRequest | undefined
  let abort: AbortController | undefined
  res.once('close', () => {
    conns.end(req.socket)
    if (res.writableFinished) return
    const reason = new Error('client closed the connection')
    lr?.abort(reason)
    abort?.abort(reason)
  })
  let request: Request
  try {
    if (light) {
      lr = new LightRequest(req)
      request = lr as unknown as Request
    } else {
      abort = new AbortController()
      request = toRequest(req, abort.signal)
    }
  } catch (err) {
    // e.g. TRACE (forbidden in fetch) or a header fetch rejects.
    res.writeHead(400, { 'content-type': 'application/json', connection: 'close' })
    res.end(JSON.stringify({ error: 'InvalidRequest', message: `unsupported request: ${(err as Error).message}` }))
    return
  }
  let response: ReplyOrResponse
  try {
    response = await handler(request)
  } catch (err) {
    onError(err)
    const body = new TextEncoder().encode('{"error":"InternalServerError","message":"Internal Server Error"}')
    response = { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' }, body }
  }
  await writeResponse(response, req, res, onError)
}

async function writeResponse(
  response: ReplyOrResponse,
  req: IncomingMessage,
  res: ServerResponse,
  onError: (err: unknown) => void,
): Promise<void> {
  if (!(response instanceof Response)) return writeReply(response, req, res, onError)
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {})
    return
  }
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  // The handler answered without reading the whole upload: do not read (or keep alive for) the rest.
  if (!req.complete) res.setHeader('connection', 'close')
  if (response.body === null || req.method === 'HEAD') {
    await response.body?.cancel().catch(() => {})
    res.end()
    return
  }
  await pipeBody(response.body, res, onError)
}

async function writeReply(reply: Reply, req: IncomingMessage, res: ServerResponse, onError: (e: unknown) => void) {
  const { body } = reply
  if (res.destroyed) {
    if (body instanceof ReadableStream) await body.cancel().catch(() => {})
    else if (body instanceof Readable) body.destroy()
    return
  }
  // A flat [name, value, …] array: node writes it straight into the head without its header-map bookkeeping.
  const head: string[] = []
  const h = reply.headers
  for (const k in h) if (req.complete || k !== 'connection') head.push(k, h[k])
  // The handler answered without reading the whole upload: do not read (or keep alive for) the rest.
  if (!req.complete) head.push('connection', 'close')
  res.writeHead(reply.status, head)
  if (body instanceof ReadableStream) {
    if (req.method === 'HEAD') {
      await body.cancel().catch(() => {})
      res.end()
    } else await pipeBody(body, res, onError)
  } else if (body instanceof Readable) {
    if (req.method === 'HEAD') {
      body.destroy()
      res.end()
    } else await pipeNodeBody(body, res, onError)
  } else res.end(body ?? undefined)
}

/**
 * A node stream to the socket (with `pipe`'s backpressure); resolves when the response closes. The client
 * leaving destroys the source; the source failing or stopping short destroys the connection (headers are
 * out: a broken connection is the only honest signal left). stream.pipeline would do the same at several
 * times the CPU (an AbortController and a DOMException per call).
 */
function pipeNodeBody(body: Readable, res: ServerResponse, onError: (e: unknown) => void): Promise<void> {
  return new Promise((resolve) => {
    const onBodyError = (err: Error) => {
      if (!res.destroyed) onError(err)
      res.destroy()
    }
    const onBodyClose = () => {
      if (!body.readableEnded) res.destroy()
    }
    // The error listener stays: a destroyed source may still emit one, which must not go unhandled.
    const onClose = () => {
      body.off('close', onBodyClose)
      if (!body.readableEnded) body.destroy()
      resolve()
    }
    body.on('error', onBodyError)
    body.once('close', onBodyClose)
    res.once('close', onClose)
    body.pipe(res)
  })
}

async function pipeBody(body: ReadableStream<Uint8Array>, res: ServerResponse, onError: (e: unknown) => void) {
  const reader = body.getReader()
  const onClose = () => {
    if (!res.writableFinished) reader.cancel(new Error('client closed the connection')).catch(() => {})
  }
  res.once('close', onClose)
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      if (res.destroyed) return
      if (!res.write(value)) await drained(res)
    }
    res.end()
  } catch (err) {
    // Headers are out; the only honest signal left is a broken connection (no clean chunked end).
    if (!res.destroyed) onError(err)
    res.destroy()
  } finally {
    res.off('close', onClose)
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

async function onUpgrade(
  upgrade: UpgradeHandler | undefined,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  onError: (err: unknown) => void,
): Promise<void> {
  socket.on('error', () => {})
  const abort = new AbortController()
  socket.once('close', () => abort.abort(new Error('socket closed')))
  let result: UpgradeResult
  try {
    if (!upgrade) throw new NoUpgrade()
    result = await upgrade(toRequest(req, abort.signal))
  } catch (err) {
    if (!(err instanceof NoUpgrade)) onError(err)
    const status = err instanceof NoUpgrade ? 501 : 500
    const name = err instanceof NoUpgrade ? 'MethodNotImplemented' : 'InternalServerError'
    result = Response.json({ error: name, message: 'WebSocket upgrade not available' }, { status })
  }
  if (socket.destroyed) return
  if (result instanceof Response) return refuseUpgrade(socket, result)
  const accept = result
  wss.handleUpgrade(req, socket, head, (ws) => {
    try {
      accept(ws)
    } catch (err) {
      onError(err)
      ws.terminate()
    }
  })
}

class NoUpgrade extends Error {}

async function refuseUpgrade(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer())
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || 'Error'}`]
  for (const [k, v] of response.headers) {
    if (k !== 'content-length' && k !== 'connection') lines.push(`${k}: ${v}`)
  }
  lines.push(`content-length: ${body.byteLength}`, 'connection: close', '', '')
  socket.write(lines.join('\r\n'))
  socket.end(body)
}

/**
 * Sockets and their in-flight requests. Node's closeIdleConnections() misses connections that never sent
 * a request (clients open spare ones), which would hold close() open; we track them ourselves.
 */
class Connections {
  closing = false
  readonly #sockets = new Set<Socket>()
  readonly #active = new Map<Socket, number>()

  add(socket: Socket): void {
    this.#sockets.add(socket)
    socket.once('close', () => {
      this.#sockets.delete(socket)
      this.#active.delete(socket)
    })
  }

  begin(socket: Socket): void {
    this.#active.set(socket, (this.#active.get(socket) ?? 0) + 1)
  }

  end(socket: Socket): void {
    const n = (this.#active.get(socket) ?? 1) - 1
    if (n > 0) this.#active.set(socket, n)
    else this.#active.delete(socket)
    if (this.closing && n <= 0) socket.destroySoon()
  }

  /** Closes every connection with no request in progress (upgraded sockets belong to the ws server). */
  closeIdle(): void {
    this.closing = true
    for (const s of this.#sockets) if (!this.#active.has(s) && !isUpgraded(s)) s.destroy()
  }
}

const upgraded = new WeakSet<object>()
const isUpgraded = (s: object) => upgraded.has(s)

async function closeServer(server: Server, wss: WebSocketServer, conns: Connections, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  conns.closeIdle()
  for (const ws of wss.clients) ws.close(1001, 'server shutting down')
  const timer = setTimeout(() => {
    for (const ws of wss.clients) ws.terminate()
    server.closeAllConnections()
  }, graceMs)
  timer.unref()
  await closed
  clearTimeout(timer)
  await new Promise<void>((resolve) => wss.close(() => resolve()))
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined
  return () => {
    p ??= fn()
    return p
  }
}
