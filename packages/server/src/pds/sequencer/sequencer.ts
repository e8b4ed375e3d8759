/**
 * The sequencer: appends firehose events to the log inside the caller's transaction, fans them out live,
 * replays them for cursors, and prunes rows older than the retention window.
 */
import type { CID } from '@stratus/core/data'
import type { CommitData } from '@stratus/core/repo'
import { XRPCError } from '@stratus/core/xrpc'
import type { PdsDatabase } from '../db/index.ts'
import { Broadcaster, type BroadcasterLimits } from './broadcaster.ts'
import { accountFrame, commitFrame, identityFrame, infoFrame, syncFrame } from './events.ts'
import { EventStore } from './store.ts'

export const DEFAULT_RETENTION_MS = 72 * 60 * 60 * 1000

export interface SequencerOptions {
  /** How long events stay replayable (default 72 h). */
  retentionMs?: number
  /** How often old rows are pruned (default: a tenth of the window, between 1 s and 10 min). */
  pruneIntervalMs?: number
  /** Live queue limits (tests lower them). */
  limits?: Partial<BroadcasterLimits>
  /** Reads a commit block for `#sync` when the caller does not pass it. */
  getBlock?: (did: string, cid: CID) => Uint8Array | undefined
  /** Background failures (polls, pruning). */
  onError?: (err: unknown) => void
  /** Clock (tests). */
  now?: () => number
}

/** Rows deleted per pruning transaction, so pruning never holds the write lock for long. */
const PRUNE_BATCH = 5000

export class Sequencer {
  readonly store: EventStore
  readonly broadcaster: Broadcaster
  retentionMs: number
  private readonly pruneIntervalMs: number
  private pruneTimer: ReturnType<typeof setInterval> | undefined
  private readonly now: () => number
  private readonly onError: (err: unknown) => void

  constructor(
    private readonly db: PdsDatabase,
    private readonly opts: SequencerOptions = {},
  ) {
    this.store = new EventStore(db)
    this.onError = opts.onError ?? (() => {})
    this.broadcaster = new Broadcaster(this.store, opts.limits, this.onError)
    this.retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS
    this.pruneIntervalMs = opts.pruneIntervalMs ?? Math.min(Math.max(this.retentionMs / 10, 1000), 10 * 60_000)
    this.now = opts.now ?? Date.now
  }

  // ---- appending (synchronous, inside the caller's write transaction) ----

  sequenceCommit(did: string, commit: CommitData): number {
    const time = this.time()
    return this.append(did, 'commit', time, (seq) => commitFrame(seq, time, commit))
  }

  sequenceSync(did: string, commitCid: CID, rev: string, commitBytes?: Uint8Array): number {
    const bytes = commitBytes ?? this.opts.getBlock?.(did, commitCid)
    if (!bytes) throw new Error(`#sync for ${did}: commit block ${commitCid} not found`)
    const time = this.time()
    return this.append(did, 'sync', time, (seq) => syncFrame(seq, time, did, commitCid, bytes, rev))
  }

  sequenceIdentity(did: string, handle?: string): number {
    const time = this.time()
    return this.append(did, 'identity', time, (seq) => identityFrame(seq, time, did, handle))
  }

  sequenceAccount(did: string, active: boolean, status?: string): number {
    const time = this.time()
    return this.append(did, 'account', time, (seq) => accountFrame(seq, time, did, active, status))
  }

  /** The event time (and row creation time): ISO 8601 with milliseconds, from the sequencer's clock. */
  private time(): string {
    return new Date(this.now()).toISOString()
  }

  /** Wakes live subscribers now (events appended by this process do it themselves). */
  notify(): void {
    this.broadcaster.schedule()
  }

  private append(
    did: string,
    type: 'commit' | 'sync' | 'identity' | 'account',
    time: string,
    build: (seq: number) => Uint8Array,
  ): number {
    // Inside the caller's transaction (the normal case) append directly; alone, in a transaction of its own.
    const seq = this.db.sqlite.inTransaction
      ? this.store.append(did, type, time, build)
      : this.db.transact(() => this.store.append(did, type, time, build))
    this.broadcaster.schedule()
    return seq
  }

  // ---- reading ----

  /** The newest seq (0 when none). */
  currentSeq(): number {
    return this.store.maxSeq()
  }

  /** The first seq inside the retention window (maxSeq + 1 when the window holds nothing). */
  windowStart(): number {
    const since = new Date(this.now() - this.retentionMs).toISOString()
    return this.store.firstSeqSince(since) ?? this.store.maxSeq() + 1
  }

  /**
   * The frames of com.atproto.sync.subscribeRepos for `cursor`: none = live only; in the future =
   * FutureCursor; 0 = from the start of the window; before the window = `#info` OutdatedCursor then from
   * the start of the window; otherwise every event after `cursor`. Replay reads the log in pages and
   * switches to the live queue in the same synchronous step as its last (empty) read: no gap, no repeat.
   */
  async *frames(cursor: number | undefined, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    if (cursor === undefined) {
      yield* this.live(this.broadcaster.subscribe(this.store.maxSeq(), signal))
      return
    }
    if (cursor > this.store.maxSeq()) throw new XRPCError(400, 'FutureCursor', 'Cursor in the future.')
    let last = cursor
    const start = this.windowStart()
    if (cursor < start - 1) {
      if (cursor > 0) yield infoFrame('OutdatedCursor', 'Requested cursor exceeded limit. Possibly missing events')
      last = start - 1
    }
    const page = this.broadcaster.limits.pageSize
    for (;;) {
      if (signal?.aborted) return
      const rows = this.store.after(last, page)
      if (rows.length === 0) break
      for (const row of rows) {
        yield row.payload
        last = row.seq
      }
    }
    yield* this.live(this.broadcaster.subscribe(last, signal))
  }

  private async *live(queue: AsyncIterableIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const frame of queue) yield frame
    } finally {
      await queue.return?.()
    }
  }

  // ---- retention ----

  /** Deletes events older than the window (keeping the newest row); returns how many. */
  prune(): number {
    const before = new Date(this.now() - this.retentionMs).toISOString()
    let total = 0
    for (;;) {
      const n = this.db.transact(() => this.store.pruneBefore(before, PRUNE_BATCH))
      total += n
      if (n < PRUNE_BATCH) return total
    }
  }

  /** Prunes now and then periodically. */
  start(): void {
    if (this.pruneTimer) return
    this.safePrune()
    this.pruneTimer = setInterval(() => this.safePrune(), this.pruneIntervalMs)
    this.pruneTimer.unref?.()
  }

  /** Stops pruning and ends every live stream. */
  close(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer)
    this.pruneTimer = undefined
    this.broadcaster.close()
  }

  private safePrune(): void {
    try {
      this.prune()
    } catch (err) {
      this.onError(err)
    }
  }
}
