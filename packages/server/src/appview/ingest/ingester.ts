/**
 * Ingestion: the sync kit following the relay, filtered to the indexed collections, feeding the indexer in
 * batches. Each batch is one transaction holding its records, the repository states it advanced and the
 * stream cursor, so a restart resumes exactly after the last applied batch. Commit proofs run ahead on
 * worker threads (verify-pool.ts) while the main thread indexes.
 */
import { type Sync, type SyncIdentity, type SyncOptions, createSync } from '@stratus/core/sync'
import type { Indexer } from '../indexing/index.ts'
import type { DbSyncStore } from './store.ts'
import { VerifyPool } from './verify-pool.ts'

export interface IngesterOptions {
  relay?: string
  messages?: SyncOptions['messages']
  indexer: Indexer
  store: DbSyncStore
  identity: SyncIdentity
  fetch?: typeof fetch
  /** Most events per transaction (default 2000): bigger batches write each index page fewer times. */
  batchSize?: number
  /** Download repositories when first seen or desynchronized (default true). */
  backfill?: boolean
  /** Verification worker threads (default: cores − 1, 1 to 4; 0 = verify inline). */
  verifyWorkers?: number
  onError?: SyncOptions['onError']
}

export function createIngester(opts: IngesterOptions): Sync {
  const batchSize = opts.batchSize ?? 2000
  return createSync({
    relay: opts.relay,
    messages: opts.messages,
    store: opts.store,
    identity: opts.identity,
    fetch: opts.fetch,
    filter: { collections: opts.indexer.collections },
    batchSize,
    maxQueued: batchSize * 2,
    backfill: opts.backfill === false ? 'none' : 'first-seen',
    onEvents: (events, ack) => opts.indexer.apply(events, (ctx) => opts.store.saveAck(ctx, ack)),
    persistInHandler: true,
    verifier:
      opts.verifyWorkers === 0 ? undefined : new VerifyPool({ workers: opts.verifyWorkers, onError: opts.onError }),
    onError: opts.onError,
  })
}
