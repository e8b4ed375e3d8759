/**
 * Live fan-out of the event log: ONE reader per process fetches each new row once and hands the stored
 * frame bytes (the same Uint8Array) to every subscriber's queue — encode once, send many.
 *
 * Wake-ups: `schedule()` (called by the sequencer for every event it appends) polls on a microtask, which
 * runs after the caller's synchronous transaction has committed (or rolled back: then nothing is new).
 * A slow timer poll (`pollIntervalMs`) also catches rows written by another process on the same data
 * directory (the `stratus account` CLI).
 *
 * Each subscriber has a bounded queue (frames and bytes). A consumer whose queue overflows is dropped:
 * its iterator throws XRPCError ConsumerTooSlow, which the router sends as an error frame before closing.
 */
import { XRPCError } from '@stratus/core/xrpc'
import type { EventStore, StoredEvent } from './store.ts'

export interface BroadcasterLimits {
  /** Most frames waiting in one subscriber's queue. */
  maxQueueFrames: number
  /** Most bytes waiting in one subscriber's queue. */
  maxQueueBytes: number
  /** Rows read per query. */
  pageSize: number
  /** Fallback poll for rows written by other processes, while someone listens (ms). */
  pollIntervalMs: number
}

export const DEFAULT_BROADCASTER_LIMITS: BroadcasterLimits = {
  maxQueueFrames: 10_000,
  maxQueueBytes: 64 * 1024 * 1024,
  pageSize: 500,
  pollIntervalMs: 1000,
}

/** One consumer's view of the live stream: frames with seq > `after`, in order. */
export class LiveQueue implements AsyncIterableIterator<Uint8Array> {
  private frames: Uint8Array[] = []
  private head = 0
  private bytes = 0
  private waiter: ((r: IteratorResult<Uint8Array>) => void) | undefined
  private failWaiter: ((err: unknown) => void) | undefined
  private error: unknown
  private done = false

  constructor(
    private after: number,
    private readonly limits: BroadcasterLimits,
    private readonly onEnd: (q: LiveQueue) => void,
  ) {}

  /** Called by the broadcaster for every new event, in seq order. */
  push(ev: StoredEvent): void {
    if (this.done || ev.seq <= this.after) return
    this.after = ev.seq
    if (this.waiter) {
      const w = this.waiter
      this.clearWaiter()
      w({ value: ev.payload, done: false })
      return
    }
    const pending = this.frames.length - this.head
    if (pending >= this.limits.maxQueueFrames || this.bytes + ev.payload.byteLength > this.limits.maxQueueBytes) {
      this.fail(new XRPCError(400, 'ConsumerTooSlow', 'Stream consumer too slow'))
      return
    }
    this.frames.push(ev.payload)
    this.bytes += ev.payload.byteLength
  }

  /** Ends the stream with an error (delivered at the next `next()`, queued frames discarded). */
  fail(err: unknown): void {
    if (this.done) return
    const reject = this.failWaiter
    this.clearWaiter()
    this.finish()
    if (reject) reject(err)
    else this.error = err
  }

  /** Ends the stream normally. */
  end(): void {
    if (this.done) return
    this.finish()
    if (this.waiter) {
      const w = this.waiter
      this.clearWaiter()
      w({ value: undefined, done: true })
    }
  }

  get queued(): number {
    return this.frames.length - this.head
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.error !== undefined) {
      const err = this.error
      this.error = undefined
      return Promise.reject(err)
    }
    if (this.head < this.frames.length) {
      const value = this.frames[this.head++]
      this.bytes -= value.byteLength
      if (this.head > 1024 && this.head * 2 > this.frames.length) {
        this.frames = this.frames.slice(this.head)
        this.head = 0
      }
      return Promise.resolve({ value, done: false })
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.waiter = resolve
      this.failWaiter = reject
    })
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.end()
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  private clearWaiter(): void {
    this.waiter = undefined
    this.failWaiter = undefined
  }

  private finish(): void {
    if (this.done) return
    this.done = true
    this.frames = []
    this.head = 0
    this.bytes = 0
    this.onEnd(this)
  }
}

export class Broadcaster {
  readonly limits: BroadcasterLimits
  private readonly subs = new Set<LiveQueue>()
  /** The newest seq handed out (while nobody listens, possibly older: subscribe() moves it). */
  private lastSeq: number
  private scheduled = false
  private timer: ReturnType<typeof setInterval> | undefined
  private closed = false

  constructor(
    private readonly store: EventStore,
    limits: Partial<BroadcasterLimits> = {},
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.limits = { ...DEFAULT_BROADCASTER_LIMITS, ...limits }
    this.lastSeq = store.maxSeq()
  }

  get subscriberCount(): number {
    return this.subs.size
  }

  /**
   * A queue of every event with seq > `after` the broadcaster reads from now on. Call it in the same
   * synchronous step as the caller's last read of the log (up to `after`), so no event falls in between:
   * the broadcaster's position is never past what a read just saw, and events ≤ `after` are filtered out.
   */
  subscribe(after: number, signal?: AbortSignal): LiveQueue {
    const q = new LiveQueue(after, this.limits, (ended) => this.subs.delete(ended))
    if (this.closed) {
      q.end()
      return q
    }
    // Nobody listened, so polls skipped reading: start where this subscriber's own read ended.
    if (this.subs.size === 0) this.lastSeq = after
    this.subs.add(q)
    if (signal) {
      if (signal.aborted) q.end()
      else signal.addEventListener('abort', () => q.end(), { once: true })
    }
    this.ensureTimer()
    return q
  }

  /** Polls soon (after the current synchronous work, e.g. the caller's transaction). */
  schedule(): void {
    if (this.scheduled || this.closed) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      this.safePoll()
    })
  }

  /** Reads every row after the last one seen and hands it to each subscriber. */
  poll(): void {
    if (this.closed) return
    // No one to hand rows to (a write's poll then costs nothing); subscribe() sets the position.
    if (this.subs.size === 0) return
    for (;;) {
      const rows = this.store.after(this.lastSeq, this.limits.pageSize)
      for (const row of rows) {
        for (const q of this.subs) q.push(row)
        this.lastSeq = row.seq
      }
      if (rows.length < this.limits.pageSize) break
    }
  }

  /** Ends every subscription normally and stops polling. */
  close(): void {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    for (const q of [...this.subs]) q.end()
  }

  private safePoll(): void {
    try {
      this.poll()
    } catch (err) {
      this.onError(err)
    }
  }

  private ensureTimer(): void {
    if (this.timer || this.closed) return
    this.timer = setInterval(() => {
      if (this.subs.size === 0) {
        clearInterval(this.timer)
        this.timer = undefined
        return
      }
      this.safePoll()
    }, this.limits.pollIntervalMs)
    this.timer.unref?.()
  }
}
