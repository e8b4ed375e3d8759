/** app.bsky.actor.profile: the account's profile (only the `self` record counts), searchable by name. */
import type { IndexCtx, IndexedRecord, IndexingPlugin } from './types.ts'
import { blobCid, normalizeTime, str, strongRef } from './util.ts'

async function insert({ db }: IndexCtx, rec: IndexedRecord): Promise<void> {
  if (rec.rkey !== 'self') return
  const v = rec.value
  await db
    .insertInto('profile')
    .values({
      did: rec.did,
      uri: rec.uri,
      cid: rec.cid,
      display_name: str(v.displayName) ?? null,
      description: str(v.description) ?? null,
      avatar_cid: blobCid(v.avatar) ?? null,
      banner_cid: blobCid(v.banner) ?? null,
      pinned_post: strongRef(v.pinnedPost)?.uri ?? null,
      pinned_post_cid: strongRef(v.pinnedPost)?.cid ?? null,
      created_at: normalizeTime(v.createdAt) ?? null,
      indexed_at: rec.indexedAt,
    })
    .execute()
}

async function remove({ db }: IndexCtx, uri: string): Promise<void> {
  await db.deleteFrom('profile').where('uri', '=', uri).execute()
}

export const profilePlugin: IndexingPlugin = { collection: 'app.bsky.actor.profile', insert, delete: remove }
