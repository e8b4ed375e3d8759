/**
 * The contract of an indexing plugin: one per collection. `insert` writes the rows and side effects of a new
 * record (source rows, feed items, notifications, recounted aggregates); `delete` undoes exactly that for a
 * URI, reading back whatever it needs from its own rows before removing them. The indexer guarantees each
 * runs at most once per record version (it checks the `record` table first), inside the batch's
 * transaction, and removes notifications caused by the record itself. Count recomputations requested
 * during a batch run once at its end (so a post liked 50 times in a batch is recounted once).
 */
import type { Db } from '../db/index.ts'
import type { StatementCtx } from '../db/prepared.ts'
import type { WriteBuffer } from './write-buffer.ts'

export type JsonObject = Record<string, unknown>

export interface IndexedRecord {
  uri: string
  did: string
  collection: string
  rkey: string
  cid: string
  /** The record in the atproto JSON form (CIDs as {$link}, blobs as {$type:'blob', ref:{$link}, …}). */
  value: JsonObject
  indexedAt: string
}

/**
 * What a plugin writes through: the batch's transaction, the SQL dialect (full-text search differs) and,
 * on SQLite, the raw handle that prepared statements (db/prepared.ts) run on — same connection, same
 * transaction.
 */
export interface IndexCtx extends StatementCtx {
  db: Db
  /** Counts to recompute once, at the end of the batch (util.ts recountRecord/recountActor). */
  recounts?: Set<string>
  /** Inserts held back for multi-row statements (the indexer's batches; see util.ts `write`). */
  later?: WriteBuffer
}

export interface IndexingPlugin {
  collection: string
  /**
   * Writes only through prepared statements, inserting with util.ts `write` (so the inserts can be held
   * back for multi-row statements). Other plugins get every held-back write sent before they run.
   */
  batched?: boolean
  insert(ctx: IndexCtx, rec: IndexedRecord): Promise<void>
  delete(ctx: IndexCtx, uri: string): Promise<void>
}
