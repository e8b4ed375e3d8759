/**
 * app.bsky.graph.listitem: a member of a list. Only the list's owner can add members: an item in someone
 * else's repository pointing at my list is ignored (it lives in the wrong repository).
 */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { normalizeTime, sortAt, str, uriDid } from './util.ts'

async function insert({ db }: IndexCtx, rec: IndexedRecord): Promise<void> {
  const list = str(rec.value.list)
  const subject = str(rec.value.subject)
  if (!list || !subject || uriDid(list) !== rec.did || !subject.startsWith('did:')) return
  const at = sortAt(normalizeTime(rec.value.createdAt), rec.indexedAt)
  await db
    .insertInto('list_item')
    .values({
      uri: rec.uri,
      cid: rec.cid,
      creator: rec.did,
      list_uri: list,
      subject,
      indexed_at: rec.indexedAt,
      sort_at: at,
    })
    .execute()
}

async function remove({ db }: IndexCtx, uri: string): Promise<void> {
  await db.deleteFrom('list_item').where('uri', '=', uri).execute()
}

export const listItemPlugin: IndexingPlugin = { collection: 'app.bsky.graph.listitem', insert, delete: remove }
