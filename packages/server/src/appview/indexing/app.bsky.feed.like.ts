/**
 * app.bsky.feed.like: a like row (subject = the liked record, usually a post or a feed generator), the
 * subject's like count, and a 'like' notification to the subject's author.
 */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, notify, recountRecord, sortAt, strongRef, uriDid } from './util.ts'

async function insert({ db }: IndexCtx, rec: IndexedRecord): Promise<void> {
  const subject = strongRef(rec.value.subject)
  if (!subject) return
  const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
  const at = sortAt(createdAt, rec.indexedAt)
  await db
    .insertInto('like')
    .values({
      uri: rec.uri,
      cid: rec.cid,
      creator: rec.did,
      subject: subject.uri,
      subject_cid: subject.cid,
      created_at: createdAt,
      indexed_at: rec.indexedAt,
      sort_at: at,
    })
    .execute()
  await recountRecord(db, subject.uri, 'like_count')
  await notify(db, {
    recipient: uriDid(subject.uri),
    author: rec.did,
    recordUri: rec.uri,
    recordCid: rec.cid,
    reason: 'like',
    reasonSubject: subject.uri,
    sortAt: at,
  })
}

async function remove({ db }: IndexCtx, uri: string): Promise<void> {
  const row = await db.deleteFrom('like').where('uri', '=', uri).returning('subject').executeTakeFirst()
  if (row) await recountRecord(db, row.subject, 'like_count')
}

export const likePlugin: IndexingPlugin = { collection: 'app.bsky.feed.like', insert, delete: remove }
