/**
 * app.bsky.feed.repost: a repost row, a feed item (so the post shows in the reposter's feed and their
 * followers' timelines at the repost's time), the subject's repost count and a 'repost' notification.
 */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, notify, recountRecord, sortAt, strongRef, uriDid } from './util.ts'

async function insert({ db }: IndexCtx, rec: IndexedRecord): Promise<void> {
  const subject = strongRef(rec.value.subject)
  if (!subject) return
  const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
  const at = sortAt(createdAt, rec.indexedAt)
  await db
    .insertInto('repost')
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
  await db
    .insertInto('feed_item')
    .values({ uri: rec.uri, type: 'repost', post_uri: subject.uri, originator: rec.did, sort_at: at })
    .execute()
  await recountRecord(db, subject.uri, 'repost_count')
  await notify(db, {
    recipient: uriDid(subject.uri),
    author: rec.did,
    recordUri: rec.uri,
    recordCid: rec.cid,
    reason: 'repost',
    reasonSubject: subject.uri,
    sortAt: at,
  })
}

async function remove({ db }: IndexCtx, uri: string): Promise<void> {
  const row = await db.deleteFrom('repost').where('uri', '=', uri).returning('subject').executeTakeFirst()
  await db.deleteFrom('feed_item').where('uri', '=', uri).execute()
  if (row) await recountRecord(db, row.subject, 'repost_count')
}

export const repostPlugin: IndexingPlugin = { collection: 'app.bsky.feed.repost', insert, delete: remove }
