/**
 * Shared body of the graph plugins whose record is `{subject: <did or at-uri>, createdAt}` (follow, block,
 * list block): one row keyed by URI, plus plugin-specific effects after insert and after delete.
 */
import { prepared } from '../db/prepared.ts'
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, sortAt, write } from './util.ts'

type GraphTable = 'follow' | 'block' | 'list_block'

export interface GraphPluginOptions {
  collection: string
  table: GraphTable
  /** Checks the subject's shape (a DID, an AT-URI). */
  validSubject: (s: string) => boolean
  afterInsert?: (
    ctx: IndexCtx,
    row: { uri: string; cid: string; creator: string; subject: string; sortAt: string },
  ) => Promise<void>
  afterDelete?: (ctx: IndexCtx, row: { creator: string; subject: string }) => Promise<void>
}

export function graphPlugin(opts: GraphPluginOptions): IndexingPlugin {
  const insertRow = prepared((db, a) =>
    db.insertInto(opts.table).values({
      uri: a(0),
      cid: a(1),
      creator: a(2),
      subject: a(3),
      created_at: a(4),
      indexed_at: a(5),
      sort_at: a(6),
    }),
  )
  const deleteRow = prepared<{ creator: string; subject: string }>((db, a) =>
    db.deleteFrom(opts.table).where('uri', '=', a(0)).returning(['creator', 'subject']),
  )
  return {
    collection: opts.collection,
    batched: true,
    async insert(ctx: IndexCtx, rec: IndexedRecord) {
      const subject = rec.value.subject
      if (typeof subject !== 'string' || !opts.validSubject(subject)) return
      const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
      const at = sortAt(createdAt, rec.indexedAt)
      await write(ctx, insertRow, [rec.uri, rec.cid, rec.did, subject, createdAt, rec.indexedAt, at])
      await opts.afterInsert?.(ctx, { uri: rec.uri, cid: rec.cid, creator: rec.did, subject, sortAt: at })
    },
    async delete(ctx: IndexCtx, uri: string) {
      const [row] = await deleteRow.all(ctx, [uri])
      if (row) await opts.afterDelete?.(ctx, row)
    },
  }
}

export const isDid = (s: string): boolean => s.startsWith('did:') && s.length <= 2048
export const isAtUri = (s: string): boolean => s.startsWith('at://') && s.length <= 8192
