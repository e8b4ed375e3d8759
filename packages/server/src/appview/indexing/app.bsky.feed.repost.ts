/**
 * app.bsky.feed.repost: a repost row, a feed item (so the post shows in the reposter's feed and their
 * followers' timelines at the repost's time), the subject's repost count and a 'repost' notification.
 */
import { prepared } from '../db/prepared.ts'
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, notify, recountRecord, sortAt, strongRef, uriDid, write } from './util.ts'

const insertRow = prepared((db, a) =>
  db.insertInto('repost').values({
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
  db.deleteFrom('repost').where('uri', '=', a(0)).returning('subject'),
)
const insertFeedItem = prepared((db, a) =>
  db.insertInto('feed_item').values({ uri: a(0), type: 'repost', post_uri: a(1), originator: a(2), sort_at: a(3) }),
)
const deleteFeedItem = prepared((db, a) => db.deleteFrom('feed_item').where('uri', '=', a(0)))

async function insert(ctx: IndexCtx, rec: IndexedRecord): Promise<void> {
  const subject = strongRef(rec.value.subject)
  if (!subject) return
  const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
  const at = sortAt(createdAt, rec.indexedAt)
  await write(ctx, insertRow, [rec.uri, rec.cid, rec.did, subject.uri, subject.cid, createdAt, rec.indexedAt, at])
  await write(ctx, insertFeedItem, [rec.uri, subject.uri, rec.did, at])
  await recountRecord(ctx, subject.uri, 'repost_count')
  await notify(ctx, {
    recipient: uriDid(subject.uri),
    author: rec.did,
    recordUri: rec.uri,
    recordCid: rec.cid,
    reason: 'repost',
    reasonSubject: subject.uri,
    sortAt: at,
  })
}

async function remove(ctx: IndexCtx, uri: string): Promise<void> {
  const [row] = await deleteRow.all(ctx, [uri])
  await deleteFeedItem.run(ctx, [uri])
  if (row) await recountRecord(ctx, row.subject, 'repost_count')
}

export const repostPlugin: IndexingPlugin = {
  collection: 'app.bsky.feed.repost',
  batched: true,
  insert,
  delete: remove,
}
