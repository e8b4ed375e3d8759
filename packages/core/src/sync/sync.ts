/**
 * The sync kit's engine: reads a stream (firehose, JSON stream, or any iterable of messages), checks each
 * message against the repository state it keeps (repo-check.ts), resynchronizes repositories from their
 * PDS when needed (backfill.ts), and hands record/identity/account events to the application in batches.
 *
 * Delivery is at least once and in stream order: a batch is acknowledged (repository states, then the
 * cursor) only after the handler resolved; a handler that throws gets the same batch again after a
 * backoff. So handlers must be idempotent (apply "create X" twice = once). The cursor is written at most
 * every `cursorIntervalMs` and on stop; after a crash the stream is replayed from the last written cursor
 * and already-applied commits are skipped by revision.
 *
 * One message is processed at a time; a resync holds the stream while its repository downloads. A repository
 * whose resync fails is marked desynchronized and retried (with growing delays) when it next appears.
 */
import { type SyncIdentityOptions, SyncIdentity } from './identity.ts'
import { backfillEvents, fetchRepo } from './backfill.ts'
import { type CompiledFilter, compileFilter } from './filter.ts'
import { followFirehose, sleep } from './firehose.ts'
import { type JetstreamEvent, followJetstream } from './jetstream.ts'
import type { RepoMessage } from './messages.ts'
import { BoundedQueue } from './queue.ts'
import {
  type CheckOutcome,
  type CommitProof,
  type CommitVerifier,
  checkCommit,
  checkSync,
  claimedPrevData,
} from './repo-check.ts'
import { RepoStates } from './states.ts'
import { MemorySyncStore } from './store.ts'
import type { RecordEvent, RepoState, SyncEvent, SyncFilter, SyncStore } from './types.ts'

const YIELD_MS = 10

export interface SyncOptions {
  /** Relay or PDS base URL: follow its `subscribeRepos` firehose (verified). */
  relay?: string
  /** Jetstream-style JSON stream URL (unverified; see jetstream.ts). */
  jetstream?: string
  /** Any other source of firehose messages (tests, replays, benchmarks). */
  messages?: AsyncIterable<RepoMessage>
  /**
   * Batch handler: resolve once the events are durably applied. `ack` is what the kit will acknowledge
   * after it (see `persistInHandler`).
   */
  onEvents?: (events: SyncEvent[], ack: BatchAck) => Promise<void>
  /**
   * The batch handler stores `ack.cursor` and `ack.repos` in the same transaction as the events: a crash
   * can then never separate the two, so a restart replays nothing already applied. The kit does not write
   * them to the store itself after such a batch (it still does for batches without events, and on stop).
   */
  persistInHandler?: boolean
  /** Proves commits ahead of the handler, e.g. on worker threads (default: inline, in stream order). */
  verifier?: CommitVerifier
  /** Per-event handler (called in order) when you do not need batches. */
  onEvent?: (event: SyncEvent) => Promise<void>
  store?: SyncStore
  filter?: SyncFilter
  /** 'first-seen' (default): download a repository the first time it appears; 'none': trust its first commit. */
  backfill?: 'first-seen' | 'none'
  identity?: SyncIdentity | SyncIdentityOptions
  /** fetch for getRepo calls. */
  fetch?: typeof fetch
  /** Most events per handler call (default 500). */
  batchSize?: number
  /** Messages read ahead of the handler (default 1000). */
  maxQueued?: number
  /** How often the cursor is written, ms (default 1000; 0 = after every batch). */
  cursorIntervalMs?: number
  /** Problems that do not stop the stream: bad messages, failed resyncs, handler retries. */
  onError?: (err: unknown, context?: { did?: string; what: string }) => void
}

/** What a batch acknowledges once its handler resolved. */
export interface BatchAck {
  /** Stream position reached (undefined: unchanged or none). */
  cursor?: number
  /** Repository states changed since the last acknowledged batch. */
  repos: ReadonlyMap<string, RepoState>
}

export interface SyncStats {
  messages: number
  events: number
  batches: number
  resyncs: number
  failedResyncs: number
  skipped: number
}

interface PendingProof {
  promise: Promise<CommitProof | undefined>
  settled: boolean
}

type Item =
  | { kind: 'message'; msg: RepoMessage; proof?: PendingProof }
  | { kind: 'jetstream'; evt: JetstreamEvent }
  | { kind: 'backfill'; did: string; done: (err?: unknown) => void }

export class Sync {
  readonly store: SyncStore
  readonly identity: SyncIdentity
  readonly stats: SyncStats = { messages: 0, events: 0, batches: 0, resyncs: 0, failedResyncs: 0, skipped: 0 }
  readonly #opts: SyncOptions
  readonly #filter: CompiledFilter
  readonly #handler: (events: SyncEvent[], ack: BatchAck) => Promise<void>
  readonly #queue: BoundedQueue<Item>
  readonly #states: RepoStates
  readonly #retryAt = new Map<string, { at: number; delay: number }>()
  #pending: SyncEvent[] = []
  #received: number | undefined
  #processed: number | undefined
  #acked: number | undefined
  #cursorWrittenAt = 0
  #abort = new AbortController()
  #running: Promise<void>[] = []
  #idleWaiters: (() => void)[] = []
  #busy = false
  #lastYield = 0

  constructor(opts: SyncOptions) {
    const sources = [opts.relay, opts.jetstream, opts.messages].filter((s) => s !== undefined)
    if (sources.length !== 1) throw new TypeError('give exactly one of relay, jetstream, messages')
    if (!opts.onEvents === !opts.onEvent) throw new TypeError('give exactly one of onEvents, onEvent')
    if (opts.persistInHandler && !opts.onEvents) throw new TypeError('persistInHandler needs onEvents')
    this.#opts = opts
    this.store = opts.store ?? new MemorySyncStore()
    this.#states = new RepoStates(this.store)
    this.identity = opts.identity instanceof SyncIdentity ? opts.identity : new SyncIdentity(opts.identity)
    this.#filter = compileFilter(opts.filter)
    const one = opts.onEvent
    this.#handler =
      opts.onEvents ??
      (async (events) => {
        for (const e of events) await (one as (e: SyncEvent) => Promise<void>)(e)
      })
    this.#queue = new BoundedQueue(opts.maxQueued ?? 1000)
  }

  /** The cursor acknowledged so far (last stream position whose events were handled). */
  get cursor(): number | undefined {
    return this.#acked
  }

  /** Loads the cursor and starts reading; returns at once. */
  async start(): Promise<void> {
    this.#received = await this.store.getCursor()
    this.#acked = this.#received
    this.#running.push(this.#read(), this.#process())
  }

  /** Stops reading, finishes the batch in hand, writes the cursor. Queued, unhandled messages are dropped. */
  async stop(): Promise<void> {
    this.#abort.abort()
    this.#queue.close(true)
    await Promise.allSettled(this.#running)
    await this.#opts.verifier?.close?.()
    if (this.#acked !== undefined) await this.store.setCursor(this.#acked)
  }

  /** Downloads `did`'s repository now (in stream order) and delivers the differences. */
  backfillRepo(did: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'backfill', did, done: (err) => (err ? reject(err) : resolve()) }).then(() => {
        if (this.#queue.closed) reject(new Error('sync stopped'))
      }, reject)
    })
  }

  /** Resolves when everything read so far has been handled (for tests and benchmarks). */
  idle(): Promise<void> {
    if (!this.#busy && this.#queue.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #report(err: unknown, what: string, did?: string): void {
    this.#opts.onError?.(err, { what, did })
  }

  async #read(): Promise<void> {
    const signal = this.#abort.signal
    const onError = (err: unknown) => this.#report(err, 'stream')
    const cursor = () => this.#received
    try {
      if (this.#opts.relay) {
        for await (const msg of followFirehose(this.#opts.relay, { cursor, signal, onError })) {
          await this.#enqueue({ kind: 'message', msg, proof: this.#prove(msg) }, 'seq' in msg ? msg.seq : undefined)
        }
      } else if (this.#opts.jetstream) {
        const { collections, dids } = this.#opts.filter ?? {}
        const opts = { cursor, signal, onError, wantedCollections: collections, wantedDids: dids }
        for await (const evt of followJetstream(this.#opts.jetstream, opts)) {
          await this.#enqueue({ kind: 'jetstream', evt }, evt.seq)
        }
      } else {
        for await (const msg of this.#opts.messages as AsyncIterable<RepoMessage>) {
          if (signal.aborted) break
          await this.#enqueue({ kind: 'message', msg, proof: this.#prove(msg) }, 'seq' in msg ? msg.seq : undefined)
        }
      }
    } catch (err) {
      if (!signal.aborted) this.#report(err, 'stream')
    }
  }

  /** Starts proving a commit on the verifier as it is read, so it is ready when its turn comes. */
  #prove(msg: RepoMessage): PendingProof | undefined {
    const verifier = this.#opts.verifier
    if (!verifier || msg.type !== 'commit' || msg.tooBig || !this.#filter.wantsDid(msg.repo)) return undefined
    const prevData = claimedPrevData(msg)
    const known = this.#states.peek(msg.repo)
    if (!prevData || (known && msg.rev <= known.rev)) return undefined
    const pending: PendingProof = { promise: Promise.resolve(undefined), settled: false }
    pending.promise = this.identity
      .signingKey(msg.repo)
      .then(
        (key) => verifier.prove(msg, key, prevData).catch(() => undefined),
        () => undefined,
      )
      .finally(() => {
        pending.settled = true
      })
    return pending
  }

  async #enqueue(item: Item, seq: number | undefined): Promise<void> {
    if (seq !== undefined) this.#received = seq
    await this.#queue.push(item)
  }

  async #process(): Promise<void> {
    while (true) {
      if (this.#queue.size === 0) this.#wakeIdle()
      const items = await this.#queue.take(this.#opts.batchSize ?? 500)
      if (!items) break
      this.#busy = true
      try {
        for (const item of items) {
          if (this.#abort.signal.aborted) break
          if (performance.now() - this.#lastYield >= YIELD_MS) await this.#yield()
          await this.#processItem(item)
          if (this.#pending.length >= (this.#opts.batchSize ?? 500)) await this.#flush()
        }
        if (!this.#abort.signal.aborted) await this.#flush()
      } finally {
        this.#busy = false
      }
    }
    this.#wakeIdle()
  }

  /**
   * Lets the event loop run every few milliseconds: checks can complete without real I/O for long
   * stretches, and the verifier's answers (and everything else in the process) must get through.
   */
  async #yield(): Promise<void> {
    await new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve)))
    this.#lastYield = performance.now()
  }

  #wakeIdle(): void {
    for (const w of this.#idleWaiters.splice(0)) w()
  }

  async #processItem(item: Item): Promise<void> {
    if (item.kind === 'backfill') {
      try {
        await this.#flush()
        await this.#resync(item.did, 'requested')
        item.done()
      } catch (err) {
        item.done(err)
      }
      return
    }
    this.stats.messages++
    try {
      if (item.kind === 'jetstream') await this.#onJetstream(item.evt)
      else await this.#onMessage(item.msg, item.proof)
    } catch (err) {
      this.#report(err, 'message', item.kind === 'jetstream' ? item.evt.did : messageDid(item.msg))
    }
    const seq = item.kind === 'jetstream' ? item.evt.seq : 'seq' in item.msg ? item.msg.seq : undefined
    if (seq !== undefined) this.#processed = seq
  }

  async #onMessage(msg: RepoMessage, pending?: PendingProof): Promise<void> {
    switch (msg.type) {
      case 'commit':
      case 'sync': {
        const did = msg.type === 'commit' ? msg.repo : msg.did
        if (!this.#filter.wantsDid(did)) return
        const state = this.#states.peek(did) ?? (await this.#states.get(did))
        if (!state) await this.#firstSeen(did)
        // Its turn has come: prove it here rather than wait for a verifier that has not started on it.
        if (pending && !pending.settled && msg.type === 'commit') this.#opts.verifier?.withdraw?.(msg)
        const proof = pending?.promise
        const outcome =
          msg.type === 'commit'
            ? await checkCommit(msg, state, this.identity, this.#filter, this.#opts.backfill === 'none', proof)
            : await checkSync(msg, state, this.identity)
        await this.#apply(did, outcome, msg.rev, () =>
          msg.type === 'commit'
            ? checkCommit(msg, this.#states.peek(did), this.identity, this.#filter, true)
            : undefined,
        )
        return
      }
      case 'identity':
        if (this.#filter.wantsDid(msg.did)) await this.#identity(msg.did, msg.seq, msg.time)
        return
      case 'account':
        if (!this.#filter.wantsDid(msg.did)) return
        this.#pending.push({
          type: 'account',
          did: msg.did,
          active: msg.active,
          status: msg.status,
          seq: msg.seq,
          time: msg.time,
        })
        // The relay lost track of this repository: resync it when it next commits.
        if (msg.status === 'desynchronized') await this.#markDesynchronized(msg.did)
        return
      case 'info':
        this.#report(new Error(`stream info ${msg.name}: ${msg.message ?? ''}`), 'info')
        return
      default:
        return
    }
  }

  /** Applies a check's outcome; a resync is followed by one more look at the message that caused it. */
  async #apply(
    did: string,
    outcome: CheckOutcome,
    rev: string,
    recheck: () => Promise<CheckOutcome> | undefined,
  ): Promise<void> {
    if (outcome.kind === 'skip') {
      this.stats.skipped++
      return
    }
    if (outcome.kind === 'apply') {
      this.#pending.push(...outcome.events)
      this.#states.set(did, outcome.state)
      return
    }
    if (!this.#dueForResync(did)) {
      this.stats.skipped++
      return
    }
    await this.#flush()
    const ok = await this.#resync(did, outcome.reason).then(
      () => true,
      () => false,
    )
    const after = this.#states.peek(did)
    if (!ok || !after || rev <= after.rev) return
    const again = await recheck()
    if (again?.kind === 'apply') {
      this.#pending.push(...again.events)
      this.#states.set(did, again.state)
    } else if (again?.kind === 'resync') this.#states.set(did, { ...after, status: 'desynchronized' })
  }

  async #onJetstream(evt: JetstreamEvent): Promise<void> {
    if (!this.#filter.wantsDid(evt.did)) return
    if (evt.type === 'identity') return this.#identity(evt.did, evt.seq, evt.time)
    if (evt.type === 'account') {
      this.#pending.push(evt)
      return
    }
    if (!this.#filter.wantsCollection(evt.collection)) return
    let state = await this.#states.get(evt.did)
    if (!state) {
      await this.#firstSeen(evt.did)
      if (this.#opts.backfill !== 'none') {
        await this.#flush()
        await this.#resync(evt.did, 'repository not seen before').catch(() => {})
        state = this.#states.peek(evt.did)
      }
    }
    if (state && evt.rev <= state.rev && state.status === 'active') {
      this.stats.skipped++
      return
    }
    this.#pending.push(evt)
    this.#states.set(evt.did, { rev: evt.rev, status: 'active' })
  }

  async #identity(did: string, seq?: number, time?: string): Promise<void> {
    const handle = await this.identity.verifiedHandle(did, true).catch(() => undefined)
    this.#pending.push({ type: 'identity', did, handle, seq, time })
  }

  /** A DID never seen before: announce its identity first, so handlers can create the account. */
  async #firstSeen(did: string): Promise<void> {
    const handle = await this.identity.verifiedHandle(did).catch(() => undefined)
    this.#pending.push({ type: 'identity', did, handle })
  }

  async #markDesynchronized(did: string): Promise<void> {
    const state = await this.#states.get(did)
    if (state) this.#states.set(did, { ...state, status: 'desynchronized' })
  }

  #dueForResync(did: string): boolean {
    const r = this.#retryAt.get(did)
    return !r || Date.now() >= r.at
  }

  async #resync(did: string, reason: string): Promise<void> {
    this.stats.resyncs++
    const held = this.store.listRecords ? await this.store.listRecords(did) : undefined
    let repo: Awaited<ReturnType<typeof fetchRepo>>
    try {
      repo = await fetchRepo(did, this.identity, { fetch: this.#opts.fetch, signal: this.#abort.signal })
    } catch (err) {
      this.stats.failedResyncs++
      const prev = this.#retryAt.get(did)?.delay ?? 5_000
      this.#retryAt.set(did, { at: Date.now() + prev, delay: Math.min(prev * 2, 3_600_000) })
      const state = this.#states.peek(did)
      this.#states.set(did, { rev: state?.rev ?? '', data: state?.data, status: 'desynchronized' })
      this.#report(err, `resync (${reason})`, did)
      throw err
    }
    this.#retryAt.delete(did)
    const batch = this.#opts.batchSize ?? 500
    for (const evt of backfillEvents(repo, held, this.#filter)) {
      this.#pending.push(evt)
      if (this.#pending.length >= batch) await this.#flush()
    }
    this.#states.set(did, { rev: repo.rev, data: repo.commit.data.toString(), status: 'active' })
    await this.#flush()
  }

  /** Hands pending events to the handler (retrying until it succeeds or we stop), then acknowledges. */
  async #flush(): Promise<void> {
    const events = this.#pending
    this.#pending = []
    if (events.length > 0) {
      const cursor = this.#processed !== this.#acked ? this.#processed : undefined
      const ack: BatchAck = { cursor, repos: this.#states.dirty() }
      let delay = 100
      while (true) {
        try {
          await this.#handler(events, ack)
          break
        } catch (err) {
          this.#report(err, 'handler')
          if (this.#abort.signal.aborted) throw err
          await sleep(delay, this.#abort.signal)
          delay = Math.min(delay * 2, 30_000)
        }
      }
      this.stats.events += events.length
      this.stats.batches++
      if (this.store instanceof MemorySyncStore) this.store.trackRecords(events.filter(isRecordEvent))
      if (this.#opts.persistInHandler) {
        this.#states.persisted(ack.repos)
        if (cursor !== undefined) {
          this.#acked = cursor
          this.#cursorWrittenAt = Date.now()
        }
      }
    }
    await this.#states.persist()
    await this.#ack()
  }

  async #ack(): Promise<void> {
    if (this.#processed === undefined || this.#processed === this.#acked) return
    this.#acked = this.#processed
    const interval = this.#opts.cursorIntervalMs ?? 1000
    if (Date.now() - this.#cursorWrittenAt >= interval) {
      this.#cursorWrittenAt = Date.now()
      await this.store.setCursor(this.#acked)
    }
  }
}

function isRecordEvent(e: SyncEvent): e is RecordEvent {
  return e.type === 'create' || e.type === 'update' || e.type === 'delete'
}

function messageDid(msg: RepoMessage): string | undefined {
  if (msg.type === 'commit') return msg.repo
  if ('did' in msg) return msg.did
  return undefined
}

/** Creates a Sync (call `start()` to begin). */
export function createSync(opts: SyncOptions): Sync {
  return new Sync(opts)
}
