/** app.bsky.graph.list: a list (curation, moderation or reference) with its name and purpose. */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, sortAt, str } from './util.ts'

async function insert({ db }: IndexCtx, rec: IndexedRecord): Promise<void> {
  const name = str(rec.value.name)
  const purpose = str(rec.value.purpose)
  if (!name || !purpose) return
  const at = sortAt(normalizeTime(rec.value.createdAt), rec.indexedAt)
  await db
    .insertInto('list')
    .values({ uri: rec.uri, cid: rec.cid, creator: rec.did, name, purpose, indexed_at: rec.indexedAt, sort_at: at })
    .execute()
}

async function remove({ db }: IndexCtx, uri: string): Promise<void> {
  await db.deleteFrom('list').where('uri', '=', uri).execute()
}

export const listPlugin: IndexingPlugin = { collection: 'app.bsky.graph.list', insert, delete: remove }
