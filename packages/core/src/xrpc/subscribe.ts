/**
 * Event-stream client: `subscribe(url, {params, signal})` opens one WebSocket and yields its message
 * frames (`{header: {op: 1, t}, body}`) in order. An error frame ends the iteration by throwing an
 * XRPCError named by the frame; a malformed frame throws FrameError and drops the connection (the spec
 * makes both fatal); frames with unknown ops are skipped. A clean close (1000) ends the iteration; any
 * other close throws StreamClosedError, so callers know to reconnect. Breaking out of the loop or aborting
 * the signal closes the socket.
 *
 * Backpressure: frames are decoded only as the consumer pulls them. On Node the socket is paused while
 * `highWaterFrames` frames wait, so a slow consumer slows the server (which may then drop us as too slow);
 * browsers cannot pause, so there the buffer is capped at `maxBufferedBytes` and overflowing it is an error.
 *
 * Not done here: reconnection and cursor tracking (the sync kit does that), lexicon validation of bodies.
 */
import { openWebSocket, type PlatformSocket } from '#platform/websocket'
import { XRPCError, errorNameForStatus, statusForErrorName } from './errors.ts'
import { type MessageFrame, decodeFrame } from './frames.ts'
import { type QueryParams, appendParams } from './params.ts'

export interface SubscribeOptions {
  params?: QueryParams
  signal?: AbortSignal
  /** Request headers for the upgrade (Node only; browsers cannot set them). */
  headers?: Record<string, string>
  /** Largest frame accepted. Default 16 MiB (the firehose caps frames at 5 MB). */
  maxFrameBytes?: number
  /** Frames waiting before the socket is paused (Node). Default 256. */
  highWaterFrames?: number
  /** Bytes waiting before giving up where pausing is impossible (browsers). Default 64 MiB. */
  maxBufferedBytes?: number
}

export class StreamClosedError extends Error {
  override name = 'StreamClosedError'
  constructor(
    readonly code: number,
    readonly reason: string,
    opts?: { cause?: unknown },
  ) {
    super(`event stream closed (code ${code}${reason ? `: ${reason}` : ''})`, opts)
  }
}

/** The WebSocket URL for an endpoint: http(s) is mapped to ws(s); params are appended. */
export function subscriptionUrl(url: string, params?: QueryParams): string {
  const u = new URL(url)
  if (u.protocol === 'http:') u.protocol = 'ws:'
  else if (u.protocol === 'https:') u.protocol = 'wss:'
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a WebSocket URL: ${url}`)
  return appendParams(u, params).toString()
}

export async function* subscribe(url: string, opts: SubscribeOptions = {}): AsyncGenerator<MessageFrame> {
  const conn = new Connection(subscriptionUrl(url, opts.params), opts)
  try {
    while (true) {
      const bytes = await conn.next()
      if (bytes === undefined) return
      const frame = decodeFrame(bytes)
      if (frame.header.op === -1) {
        const body = frame.body as { error: string; message?: string }
        throw new XRPCError(statusForErrorName(body.error), body.error, body.message)
      }
      if (frame.header.op === 1) yield frame as MessageFrame
    }
  } finally {
    conn.close()
  }
}

/** One socket plus the queue between its events and the generator. */
class Connection {
  #queue: Uint8Array[] = []
  #queuedBytes = 0
  #paused = false
  #ended = false
  #error: Error | undefined
  #wake: (() => void) | undefined
  #socket: PlatformSocket
  #signal?: AbortSignal
  #onAbort = () => this.#fail(abortReason(this.#signal))
  readonly #high: number
  readonly #maxBytes: number

  constructor(url: string, opts: SubscribeOptions) {
    this.#high = opts.highWaterFrames ?? 256
    this.#maxBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024
    this.#signal = opts.signal
    if (opts.signal?.aborted) throw abortReason(opts.signal)
    this.#socket = openWebSocket(
      url,
      {
        onOpen: () => {},
        onMessage: (data) => this.#push(data),
        onClose: (code, reason) => this.#closed(code, reason),
        onError: (err, status, body) => this.#fail(status ? refusal(status, body) : err),
      },
      { headers: opts.headers, maxPayload: opts.maxFrameBytes ?? 16 * 1024 * 1024 },
    )
    opts.signal?.addEventListener('abort', this.#onAbort)
  }

  /** The next raw frame, or undefined at a clean end; throws the connection's error once drained. */
  async next(): Promise<Uint8Array | undefined> {
    while (this.#queue.length === 0) {
      if (this.#error) throw this.#error
      if (this.#ended) return undefined
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
    const bytes = this.#queue.shift() as Uint8Array
    this.#queuedBytes -= bytes.byteLength
    if (this.#paused && this.#queue.length <= this.#high / 2) {
      this.#paused = false
      this.#socket.resume()
    }
    return bytes
  }

  close(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort)
    if (!this.#ended) this.#socket.close(1000)
    this.#ended = true
  }

  #push(data: Uint8Array): void {
    if (this.#ended || this.#error) return
    this.#queue.push(data)
    this.#queuedBytes += data.byteLength
    if (this.#queue.length >= this.#high && this.#socket.canPause && !this.#paused) {
      this.#paused = true
      this.#socket.pause()
    } else if (!this.#socket.canPause && this.#queuedBytes > this.#maxBytes) {
      this.#fail(new Error(`event stream consumer too slow: more than ${this.#maxBytes} bytes waiting`))
    }
    this.#notify()
  }

  #closed(code: number, reason: string): void {
    if (!this.#ended && !this.#error && code !== 1000) this.#error = new StreamClosedError(code, reason)
    this.#ended = true
    this.#notify()
  }

  #fail(err: Error): void {
    this.#error ??= err
    if (!this.#ended) this.#socket.close(1000)
    this.#ended = true
    this.#notify()
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const r = signal?.reason
  return r instanceof Error ? r : new DOMException('The operation was aborted', 'AbortError')
}

/** A refused upgrade as an XRPCError, using the `{error, message}` body when there is one. */
function refusal(status: number, body?: string): XRPCError {
  try {
    const j = JSON.parse(body ?? '') as { error?: unknown; message?: unknown }
    if (typeof j?.error === 'string') {
      return new XRPCError(status, j.error, typeof j.message === 'string' ? j.message : undefined)
    }
  } catch {}
  return new XRPCError(status, errorNameForStatus(status), `WebSocket upgrade refused with HTTP ${status}`)
}
