/**
 * The WebSocket subscription to one host's subscribeRepos, kept alive: raw binary frames go to `onFrame`
 * (decoding happens elsewhere), and when the socket closes or fails it reconnects from the host's cursor
 * after an exponential backoff with jitter (reset once a connection has been healthy for a while).
 * Frames above `maxFrameBytes` are refused by ws before they are buffered, which ends the connection.
 *
 * Flow control: `pause(reason)` / `resume(reason)` stop reading from the socket (TCP backpressure on the
 * host) while any reason holds — the pipeline's backlog, the host's rate limit, the relay's own backlog.
 */
import WebSocket from 'ws'

export interface ConnectionOptions {
  url: () => string
  maxFrameBytes: number
  /** Backoff bounds. Defaults 1 s and 5 min. */
  minBackoffMs?: number
  maxBackoffMs?: number
  /** A connection open this long resets the backoff. Default 30 s. */
  healthyAfterMs?: number
  handshakeTimeoutMs?: number
  userAgent?: string
}

export interface ConnectionEvents {
  onFrame(frame: Uint8Array): void
  onOpen(): void
  /** After every close; `failures` counts consecutive failed or short-lived connections. */
  onClose(info: { code: number; reason: string; error?: Error; failures: number }): void
}

export class HostConnection {
  private ws: WebSocket | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly pauses = new Set<string>()
  private failures = 0
  private openedAt = 0
  private stopped = true
  private lastError: Error | undefined

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  get paused(): boolean {
    return this.pauses.size > 0
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.connect()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    const ws = this.ws
    this.ws = undefined
    if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate()
  }

  pause(reason: string): void {
    this.pauses.add(reason)
    this.ws?.pause()
  }

  resume(reason: string): void {
    if (!this.pauses.delete(reason) || this.pauses.size > 0) return
    this.ws?.resume()
  }

  private connect(): void {
    if (this.stopped) return
    const ws = new WebSocket(this.opts.url(), {
      maxPayload: this.opts.maxFrameBytes,
      handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      headers: { 'user-agent': this.opts.userAgent ?? 'stratus-relay' },
    })
    this.ws = ws
    this.lastError = undefined
    ws.binaryType = 'nodebuffer'
    ws.on('open', () => {
      this.openedAt = Date.now()
      if (this.pauses.size > 0) ws.pause()
      this.events.onOpen()
    })
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.ws !== ws) return
      this.events.onFrame(isBinary ? data : new Uint8Array(0))
    })
    ws.on('error', (err) => {
      this.lastError = err
    })
    ws.on('close', (code, reason) => this.closed(ws, code, reason.toString('utf8')))
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    const healthy = this.openedAt > 0 && Date.now() - this.openedAt >= (this.opts.healthyAfterMs ?? 30_000)
    this.failures = healthy ? 0 : this.failures + 1
    this.openedAt = 0
    if (this.ws === ws) this.ws = undefined
    this.events.onClose({ code, reason, error: this.lastError, failures: this.failures })
    if (this.stopped) return
    this.timer = setTimeout(() => this.connect(), this.backoffMs())
    this.timer.unref?.()
  }

  private backoffMs(): number {
    const min = this.opts.minBackoffMs ?? 1000
    const max = this.opts.maxBackoffMs ?? 5 * 60_000
    const base = Math.min(max, min * 2 ** Math.min(this.failures, 20))
    return Math.round(base * (0.8 + Math.random() * 0.4))
  }
}
