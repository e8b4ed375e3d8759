/** app.bsky.feed.generator: a feed served by the generator service `did` (its likes are counted like posts'). */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, sortAt, str } from './util.ts'

async function insert({ db }: IndexCtx, rec: IndexedRecord): Promise<void> {
  const did = str(rec.value.did)
  const displayName = str(rec.value.displayName)
  if (!did?.startsWith('did:') || !displayName) return
  const at = sortAt(normalizeTime(rec.value.createdAt), rec.indexedAt)
  await db
    .insertInto('feed_generator')
    .values({
      uri: rec.uri,
      cid: rec.cid,
      creator: rec.did,
      feed_did: did,
      display_name: displayName,
      indexed_at: rec.indexedAt,
      sort_at: at,
    })
    .execute()
}

async function remove({ db }: IndexCtx, uri: string): Promise<void> {
  await db.deleteFrom('feed_generator').where('uri', '=', uri).execute()
}

export const generatorPlugin: IndexingPlugin = { collection: 'app.bsky.feed.generator', insert, delete: remove }
