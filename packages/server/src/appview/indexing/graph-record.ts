/**
 * Shared body of the graph plugins whose record is `{subject: <did or at-uri>, createdAt}` (follow, block,
 * list block): one row keyed by URI, plus plugin-specific effects after insert and after delete.
 */
import type { Db } from '../db/index.ts'
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, sortAt } from './util.ts'

type GraphTable = 'follow' | 'block' | 'list_block'

export interface GraphPluginOptions {
  collection: string
  table: GraphTable
  /** Checks the subject's shape (a DID, an AT-URI). */
  validSubject: (s: string) => boolean
  afterInsert?: (
    db: Db,
    row: { uri: string; cid: string; creator: string; subject: string; sortAt: string },
  ) => Promise<void>
  afterDelete?: (db: Db, row: { creator: string; subject: string }) => Promise<void>
}

export function graphPlugin(opts: GraphPluginOptions): IndexingPlugin {
  return {
    collection: opts.collection,
    async insert({ db }: IndexCtx, rec: IndexedRecord) {
      const subject = rec.value.subject
      if (typeof subject !== 'string' || !opts.validSubject(subject)) return
      const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
      const at = sortAt(createdAt, rec.indexedAt)
      await db
        .insertInto(opts.table)
        .values({
          uri: rec.uri,
          cid: rec.cid,
          creator: rec.did,
          subject,
          created_at: createdAt,
          indexed_at: rec.indexedAt,
          sort_at: at,
        })
        .execute()
      await opts.afterInsert?.(db, { uri: rec.uri, cid: rec.cid, creator: rec.did, subject, sortAt: at })
    },
    async delete({ db }: IndexCtx, uri: string) {
      const row = await db
        .deleteFrom(opts.table)
        .where('uri', '=', uri)
        .returning(['creator', 'subject'])
        .executeTakeFirst()
      if (row) await opts.afterDelete?.(db, row)
    },
  }
}

export const isDid = (s: string): boolean => s.startsWith('did:') && s.length <= 2048
export const isAtUri = (s: string): boolean => s.startsWith('at://') && s.length <= 8192
