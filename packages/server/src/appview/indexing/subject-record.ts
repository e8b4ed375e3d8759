/**
 * Shared body of the plugins whose record points at another record with a strong ref (`{subject: {uri, cid},
 * createdAt}`: like, repost): one row keyed by URI, the subject's count recomputed, a notification to the
 * subject's author, and for reposts a feed item (the post shows in the reposter's feed and their followers'
 * timelines at the repost's time).
 */
import { prepared } from '../db/prepared.ts'
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, notify, recountRecord, sortAt, strongRef, uriDid, write } from './util.ts'

export interface SubjectPluginOptions {
  collection: string
  table: 'like' | 'repost'
  count: 'like_count' | 'repost_count'
  /** Also index a 'repost' feed item. */
  feedItem?: boolean
}

const insertFeedItem = prepared((db, a) =>
  db.insertInto('feed_item').values({ uri: a(0), type: 'repost', post_uri: a(1), originator: a(2), sort_at: a(3) }),
)
const deleteFeedItem = prepared((db, a) => db.deleteFrom('feed_item').where('uri', '=', a(0)))

export function subjectPlugin(opts: SubjectPluginOptions): IndexingPlugin {
  const insertRow = prepared((db, a) =>
    db.insertInto(opts.table).values({
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
    db.deleteFrom(opts.table).where('uri', '=', a(0)).returning('subject'),
  )
  return {
    collection: opts.collection,
    batched: true,
    async insert(ctx: IndexCtx, rec: IndexedRecord) {
      const subject = strongRef(rec.value.subject)
      if (!subject) return
      const createdAt = normalizeTime(rec.value.createdAt) ?? rec.indexedAt
      const at = sortAt(createdAt, rec.indexedAt)
      await write(ctx, insertRow, [rec.uri, rec.cid, rec.did, subject.uri, subject.cid, createdAt, rec.indexedAt, at])
      if (opts.feedItem) await write(ctx, insertFeedItem, [rec.uri, subject.uri, rec.did, at])
      await recountRecord(ctx, subject.uri, opts.count)
      await notify(ctx, {
        recipient: uriDid(subject.uri),
        author: rec.did,
        recordUri: rec.uri,
        recordCid: rec.cid,
        reason: opts.table,
        reasonSubject: subject.uri,
        sortAt: at,
      })
    },
    async delete(ctx: IndexCtx, uri: string) {
      const [row] = await deleteRow.all(ctx, [uri])
      if (opts.feedItem) await deleteFeedItem.run(ctx, [uri])
      if (row) await recountRecord(ctx, row.subject, opts.count)
    },
  }
}
