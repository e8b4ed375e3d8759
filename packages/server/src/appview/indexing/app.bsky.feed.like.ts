/**
 * app.bsky.feed.like: a like row (subject = the liked record, usually a post or a feed generator), the
 * subject's like count, and a 'like' notification to the subject's author.
 */
import { prepared } from '../db/prepared.ts'
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, notify, recountRecord, sortAt, strongRef, uriDid, write } from './util.ts'

const insertRow = prepared((db, a) =>
  db.insertInto('like').values({
    uri: a(0),
    cid: a(1),
    creator: a(2),
    subject: a(3),
    subject_cid: a(4),
    created_at: a(5),
    indexed_at: a(6),
    sort_at: a(7),
  }),
)
const deleteRow = prepared<{ subject: string }>((db, a) =>
  db.deleteFrom('like').where('uri', '=', a(0)).returning('subject'),
)

async function insert(ctx: IndexCtx, rec: IndexedRecord): Promise<void> {
  const subject = strongRef(rec.value.subject)
  if (!subject) return
  const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
  const at = sortAt(createdAt, rec.indexedAt)
  await write(ctx, insertRow, [rec.uri, rec.cid, rec.did, subject.uri, subject.cid, createdAt, rec.indexedAt, at])
  await recountRecord(ctx, subject.uri, 'like_count')
  await notify(ctx, {
    recipient: uriDid(subject.uri),
    author: rec.did,
    recordUri: rec.uri,
    recordCid: rec.cid,
    reason: 'like',
    reasonSubject: subject.uri,
    sortAt: at,
  })
}

async function remove(ctx: IndexCtx, uri: string): Promise<void> {
  const [row] = await deleteRow.all(ctx, [uri])
  if (row) await recountRecord(ctx, row.subject, 'like_count')
}

export const likePlugin: IndexingPlugin = { collection: 'app.bsky.feed.like', batched: true, insert, delete: remove }
