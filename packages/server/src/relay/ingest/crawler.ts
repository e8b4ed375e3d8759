/**
 * Runs the subscriptions: for every active host a HostConnection (socket, reconnect with backoff) feeding
 * a HostPipeline (ordering, checks, verification). Reacts to what hosts say: FutureCursor means the host's
 * sequence restarted, so the host goes idle with its cursor cleared until it asks to be crawled again; a
 * host that keeps failing is reported offline (and still retried, at the backoff ceiling).
 *
 * Also the relay-wide flow control: when the sequencer's backlog (accepted, not yet durable) grows past
 * `maxPending` events or `maxPendingBytes`, every host is paused until it drains.
 */
import type { Logger } from 'pino'
import type { Host } from '../hosts/host.ts'
import { HostConnection } from '../hosts/connection.ts'
import { hostStreamUrl } from '../hosts/hostname.ts'
import { HostPipeline, type PipelineDeps } from './pipeline.ts'

export interface CrawlerOptions {
  dev: boolean
  maxFrameBytes: number
  minBackoffMs: number
  maxBackoffMs: number
  maxPending: number
  maxPendingBytes: number
  backlog: () => { events: number; bytes: number }
  logger: Logger
  /** Pipeline dependencies except the per-host flow-control hooks. */
  pipeline: Omit<PipelineDeps, 'pause' | 'resume' | 'onUpstreamError' | 'afterDrain'>
}

interface Running {
  conn: HostConnection
  pipeline: HostPipeline
}

const OFFLINE_AFTER_FAILURES = 8

export class Crawler {
  private readonly running = new Map<number, Running>()
  private globallyPaused = false

  constructor(private readonly opts: CrawlerOptions) {}

  isRunning(host: Host): boolean {
    return this.running.has(host.id)
  }

  connected(host: Host): boolean {
    return this.running.get(host.id)?.conn.connected ?? false
  }

  start(host: Host): void {
    if (this.running.has(host.id) || host.status === 'banned' || host.status === 'idle') return
    const { opts } = this
    let conn: HostConnection | undefined
    const pipeline = new HostPipeline(host, {
      ...opts.pipeline,
      pause: (reason) => conn?.pause(reason),
      resume: (reason) => conn?.resume(reason),
      onUpstreamError: (h, error, message) => this.upstreamError(h, error, message),
      afterDrain: () => this.checkBacklog(),
    })
    conn = new HostConnection(
      {
        url: () => hostStreamUrl(host.hostname, opts.dev, pipeline.resumeCursor),
        maxFrameBytes: opts.maxFrameBytes,
        minBackoffMs: opts.minBackoffMs,
        maxBackoffMs: opts.maxBackoffMs,
      },
      {
        onFrame: (frame) => pipeline.push(frame),
        onOpen: () => {
          if (host.status === 'offline') host.status = 'active'
          host.dirty = true
          opts.logger.info({ host: host.hostname, cursor: pipeline.resumeCursor }, 'connected to host')
        },
        onClose: ({ code, reason, error, failures }) => {
          opts.logger.info({ host: host.hostname, code, reason, err: error?.message, failures }, 'host disconnected')
          if (failures >= OFFLINE_AFTER_FAILURES && host.status === 'active') {
            host.status = 'offline'
            host.dirty = true
          }
        },
      },
    )
    if (this.globallyPaused) conn.pause('relay-backlog')
    this.running.set(host.id, { conn, pipeline })
    conn.start()
  }

  stop(host: Host): void {
    const r = this.running.get(host.id)
    if (!r) return
    this.running.delete(host.id)
    r.conn.stop()
    r.pipeline.close()
  }

  private upstreamError(host: Host, error: string, message?: string): void {
    this.opts.logger.warn({ host: host.hostname, error, message }, 'host sent an error frame')
    if (error !== 'FutureCursor') return
    // Our cursor is ahead of the host: its sequence restarted. Stop until it asks to be crawled again.
    const r = this.running.get(host.id)
    r?.pipeline.resetCursor()
    host.cursor = null
    host.status = 'idle'
    host.dirty = true
    this.stop(host)
  }

  /** Pauses every host while too much is accepted but not yet durable; resumes below a quarter of it. */
  checkBacklog(): void {
    const { events, bytes } = this.opts.backlog()
    const { maxPending, maxPendingBytes } = this.opts
    if (!this.globallyPaused && (events >= maxPending || bytes >= maxPendingBytes)) {
      this.globallyPaused = true
      for (const r of this.running.values()) r.conn.pause('relay-backlog')
    } else if (this.globallyPaused && events <= maxPending / 4 && bytes <= maxPendingBytes / 4) {
      this.globallyPaused = false
      for (const r of this.running.values()) r.conn.resume('relay-backlog')
    }
  }

  get hostsConnected(): number {
    let n = 0
    for (const r of this.running.values()) if (r.conn.connected) n++
    return n
  }

  inFlight(): number {
    let n = 0
    for (const r of this.running.values()) n += r.pipeline.inFlight
    return n
  }

  stopAll(): void {
    for (const id of [...this.running.keys()]) {
      const r = this.running.get(id)
      if (!r) continue
      this.running.delete(id)
      r.conn.stop()
      r.pipeline.close()
    }
  }
}
