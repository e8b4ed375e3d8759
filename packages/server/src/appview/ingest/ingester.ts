/**
 * Ingestion: the sync kit following the relay, filtered to the indexed collections, feeding the indexer in
 * batches (one transaction each), with its cursor and repository states in the AppView database.
 */
import { type Sync, type SyncIdentity, type SyncOptions, createSync } from '@stratus/core/sync'
import type { Indexer } from '../indexing/index.ts'
import type { DbSyncStore } from './store.ts'

export interface IngesterOptions {
  relay?: string
  messages?: SyncOptions['messages']
  indexer: Indexer
  store: DbSyncStore
  identity: SyncIdentity
  fetch?: typeof fetch
  batchSize?: number
  /** Download repositories when first seen or desynchronized (default true). */
  backfill?: boolean
  onError?: SyncOptions['onError']
}

export function createIngester(opts: IngesterOptions): Sync {
  return createSync({
    relay: opts.relay,
    messages: opts.messages,
    store: opts.store,
    identity: opts.identity,
    fetch: opts.fetch,
    filter: { collections: opts.indexer.collections },
    batchSize: opts.batchSize ?? 500,
    backfill: opts.backfill === false ? 'none' : 'first-seen',
    onEvents: (events) => opts.indexer.apply(events),
    onError: opts.onError,
  })
}
