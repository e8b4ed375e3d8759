/**
 * One downstream consumer of the relay's streams (the firehose, or the Jetstream-style JSON stream).
 *
 * A consumer is either catching up — reading the event log from its cursor at its own pace, sending only
 * while its socket buffer is below `lowWaterBytes` — or live — receiving each published batch directly
 * from the broadcaster. It goes live only when it has read everything published (checked synchronously,
 * and publishing is synchronous with the log head moving, so nothing falls between), and falls back to
 * catching up when its socket buffer passes `highWaterBytes`. Sequence numbers below `nextSeq` are never
 * sent again, so replay then live has no gaps and no duplicates. A consumer whose buffer does not drain
 * for `stallMs` is told ConsumerTooSlow and dropped: memory per consumer stays bounded by the high-water
 * mark plus one log read.
 *
 * `render` turns an entry into the messages for this consumer (possibly none, after filtering); the same
 * Uint8Array/string is shared by every consumer.
 */
import type { Socket } from 'node:net'
import { encodeErrorFrame } from '@stratus/core/xrpc'
import type { WebSocket } from 'ws'
import type { EventLog } from '../log/event-log.ts'
import type { LogEntry } from '../log/record.ts'
import type { OutEntry } from './sequencer.ts'

export interface ConsumerLimits {
  highWaterBytes: number
  lowWaterBytes: number
  stallMs: number
  /** Bytes per log read while catching up. */
  readBytes: number
  pingMs: number
}

export const DEFAULT_CONSUMER_LIMITS: ConsumerLimits = {
  highWaterBytes: 4 * 1024 * 1024,
  lowWaterBytes: 512 * 1024,
  stallMs: 30_000,
  readBytes: 512 * 1024,
  pingMs: 30_000,
}

/** Log entries read back carry no kind/did; live ones are OutEntries. */
export type Render = (entry: LogEntry & Partial<OutEntry>) => readonly (Uint8Array | string)[]

export class StreamConsumer {
  live = false
  closed = false
  sent = 0
  private catching = false
  private pingTimer: ReturnType<typeof setInterval> | undefined
  private alive = true

  constructor(
    private readonly ws: WebSocket,
    private readonly log: EventLog,
    public nextSeq: number,
    private readonly render: Render,
    private readonly limits: ConsumerLimits,
    private readonly onClose: (c: StreamConsumer) => void,
    /** Frames a run of entries as one buffer of WebSocket messages (firehose: wire.ts), for replay. */
    private readonly frameBatch?: (entries: readonly LogEntry[]) => Uint8Array,
  ) {
    ws.on('close', () => this.shutdown())
    ws.on('error', () => this.shutdown())
    ws.on('message', () => {})
    ws.on('pong', () => {
      this.alive = true
    })
    this.pingTimer = setInterval(() => this.ping(), limits.pingMs)
    this.pingTimer.unref?.()
  }

  start(): void {
    void this.catchUp()
  }

  /**
   * A published batch (called by the broadcaster for every consumer). `wire`, when given, is the whole
   * batch already framed as WebSocket messages (wire.ts), written with one socket write.
   */
  deliver(entries: readonly OutEntry[], wire?: Uint8Array): void {
    if (!this.live || this.closed) return
    if (entries.length > 0 && entries[0].seq > this.nextSeq) {
      // Should not happen; recover by reading the gap from the log.
      this.live = false
      void this.catchUp()
      return
    }
    if (wire && entries.length > 0 && entries[0].seq === this.nextSeq && this.sendWire(wire, entries)) return
    if (!this.send(entries)) {
      this.live = false
      void this.catchUp()
    }
  }

  /** Sends entries in order; stops (false) once the socket buffer passes the high-water mark. */
  private send(entries: readonly (LogEntry & Partial<OutEntry>)[]): boolean {
    // One writev for the whole batch instead of one per frame (ws corks per message only).
    const sock = (this.ws as unknown as { _socket?: Socket })._socket
    sock?.cork()
    try {
      for (const e of entries) {
        if (e.seq < this.nextSeq) continue
        if (this.ws.bufferedAmount > this.limits.highWaterBytes) return false
        for (const m of this.render(e)) {
          this.ws.send(m, { binary: typeof m !== 'string' })
          this.sent++
        }
        this.nextSeq = e.seq + 1
      }
      return true
    } finally {
      sock?.uncork()
    }
  }

  /** Writes a pre-framed batch whole (the high-water mark is checked once, before it). */
  private sendWire(wire: Uint8Array, entries: readonly LogEntry[]): boolean {
    const sock = (this.ws as unknown as { _socket?: Socket })._socket
    if (!sock || this.ws.readyState !== this.ws.OPEN || this.ws.bufferedAmount > this.limits.highWaterBytes)
      return false
    sock.write(wire)
    this.sent += entries.length
    this.nextSeq = entries[entries.length - 1].seq + 1
    return true
  }

  private async catchUp(): Promise<void> {
    if (this.catching || this.closed) return
    this.catching = true
    try {
      while (!this.closed) {
        if (!(await this.drained())) return this.tooSlow()
        if (this.closed) return
        if (this.nextSeq > this.log.lastSeq) {
          this.live = true
          return
        }
        const entries = await this.log.read(this.nextSeq, this.limits.readBytes)
        if (this.closed) return
        if (entries.length === 0) continue
        // The log skips what retention removed; a consumer never goes backwards.
        const fresh = entries[0].seq >= this.nextSeq ? entries : entries.filter((e) => e.seq >= this.nextSeq)
        if (this.frameBatch && fresh.length > 0 && this.sendWire(this.frameBatch(fresh), fresh)) continue
        this.send(entries)
      }
    } catch {
      this.close(1011)
    } finally {
      this.catching = false
    }
  }

  /** Waits until the socket buffer is below the low-water mark; false if it stalls. */
  private async drained(): Promise<boolean> {
    const start = Date.now()
    while (!this.closed && this.ws.bufferedAmount > this.limits.lowWaterBytes) {
      if (Date.now() - start > this.limits.stallMs) return false
      await new Promise((r) => setTimeout(r, 20))
    }
    return true
  }

  private tooSlow(): void {
    this.closeWithError('ConsumerTooSlow', 'Stream consumer too slow')
  }

  closeWithError(error: string, message: string): void {
    if (this.closed) return
    try {
      this.ws.send(encodeErrorFrame(error, message))
    } catch {}
    this.close(1008, error)
    // The close handshake cannot finish behind a stuck buffer.
    setTimeout(() => this.ws.terminate(), 1000).unref?.()
  }

  close(code = 1000, reason?: string): void {
    if (this.closed) return
    try {
      this.ws.close(code, reason)
    } catch {
      this.ws.terminate()
    }
    this.shutdown()
  }

  private ping(): void {
    if (!this.alive) {
      this.ws.terminate()
      return
    }
    this.alive = false
    try {
      this.ws.ping()
    } catch {}
  }

  private shutdown(): void {
    if (this.closed) return
    this.closed = true
    this.live = false
    clearInterval(this.pingTimer)
    this.onClose(this)
  }
}

/** Hands published batches to every live consumer of a stream. */
export class Broadcaster {
  readonly consumers = new Set<StreamConsumer>()

  /** `frameBatch`: the batch as one buffer of WebSocket messages, built once and written to every consumer. */
  constructor(private readonly frameBatch?: (entries: readonly OutEntry[]) => Uint8Array) {}

  add(c: StreamConsumer): void {
    this.consumers.add(c)
  }

  remove = (c: StreamConsumer): void => {
    this.consumers.delete(c)
  }

  publish(entries: readonly OutEntry[]): void {
    if (this.consumers.size === 0) return
    const wire = this.frameBatch && entries.length > 0 ? this.frameBatch(entries) : undefined
    for (const c of this.consumers) c.deliver(entries, wire)
  }

  closeAll(): void {
    for (const c of [...this.consumers]) c.close(1001, 'relay shutting down')
  }
}
