/**
 * Shared body of threadgate and postgate: a gate applies to the post with the same record key in the same
 * repository, and its `post` field must name exactly that post (otherwise it is ignored). The rules
 * themselves stay in the record JSON; views read them from there.
 */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'

export function gatePlugin(collection: string, table: 'threadgate' | 'postgate'): IndexingPlugin {
  return {
    collection,
    async insert({ db }: IndexCtx, rec: IndexedRecord) {
      const postUri = `at://${rec.did}/app.bsky.feed.post/${rec.rkey}`
      if (rec.value.post !== postUri) return
      await db
        .insertInto(table)
        .values({ uri: rec.uri, cid: rec.cid, creator: rec.did, post_uri: postUri, indexed_at: rec.indexedAt })
        .execute()
    },
    async delete({ db }: IndexCtx, uri: string) {
      await db.deleteFrom(table).where('uri', '=', uri).execute()
    },
  }
}
