/**
 * Ingestion: the sync kit following the relay, filtered to the indexed collections, feeding the indexer in
 * batches. Each batch is one transaction holding its records, the repository states it advanced and the
 * stream cursor, so a restart resumes exactly after the last applied batch. Commit proofs run ahead on
 * worker threads (verify-pool.ts) while the main thread indexes, and under load SQLite's WAL checkpoints move
 * to a worker thread too (checkpointer.ts).
 */
import { type Sync, type SyncIdentity, type SyncOptions, createSync } from '@stratus/core/sync'
import type { Indexer } from '../indexing/index.ts'
import { Checkpointer } from './checkpointer.ts'
import type { DbSyncStore } from './store.ts'
import { VerifyPool } from './verify-pool.ts'

export interface IngesterOptions {
  relay?: string
  messages?: SyncOptions['messages']
  indexer: Indexer
  store: DbSyncStore
  identity: SyncIdentity
  fetch?: typeof fetch
  /** Most events per transaction (default 8000): bigger batches write each index page fewer times. */
  batchSize?: number
  /** Download repositories when first seen or desynchronized (default true). */
  backfill?: boolean
  /** Verification worker threads (default: cores − 1, 1 to 4; 0 = verify inline). */
  verifyWorkers?: number
  onError?: SyncOptions['onError']
}

/** A batch at least this big means real load: start the checkpoint worker. */
const BUSY_BATCH = 256

/** The sync kit, plus `ready()`: resolves once the verification workers (started with it) are loaded. */
export type Ingester = Sync & { ready(): Promise<void> }

export function createIngester(opts: IngesterOptions): Ingester {
  const batchSize = opts.batchSize ?? 8000
  const checkpointer = new Checkpointer(opts.indexer.appDb.database.sqlite)
  const pool =
    opts.verifyWorkers === 0
      ? undefined
      : new VerifyPool({
          workers: opts.verifyWorkers,
          // a worker keeps proving through a whole batch's transaction (no messages get through meanwhile)
          inflight: Math.max(1024, batchSize / 2),
          onError: opts.onError,
        })
  /** Indexing time per event, ms (moving average of busy batches): how long the workers go without us. */
  let eventMs = 0.1
  const sync = createSync({
    relay: opts.relay,
    messages: opts.messages,
    store: opts.store,
    identity: opts.identity,
    fetch: opts.fetch,
    filter: { collections: opts.indexer.collections },
    batchSize,
    // one batch read ahead: enough for the workers to prove through a transaction; more only moved proofs
    // to the main thread (the workers take the newest, the kit proves what they have not reached)
    maxQueued: batchSize,
    backfill: opts.backfill === false ? 'none' : 'first-seen',
    onEvents: async (events, ack) => {
      pool?.reserve(events.length * eventMs)
      // before the transaction: the first busy COMMIT would otherwise run the WAL checkpoint itself
      if (events.length >= BUSY_BATCH) checkpointer.start()
      const t = performance.now()
      await opts.indexer.apply(events, (ctx) => opts.store.saveAck(ctx, ack))
      if (events.length >= BUSY_BATCH) eventMs += 0.5 * ((performance.now() - t) / events.length - eventMs)
    },
    persistInHandler: true,
    verifier: pool,
    onError: opts.onError,
  })
  const stop = sync.stop.bind(sync)
  sync.stop = async () => {
    try {
      await stop()
    } finally {
      await checkpointer.close()
    }
  }
  return Object.assign(sync, { ready: async () => pool?.ready() })
}
