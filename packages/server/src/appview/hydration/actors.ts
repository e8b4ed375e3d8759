/**
 * Batch loaders for accounts: actor rows with their profile record, counts (for detailed views), and the
 * viewer's relationships to them (follows both ways, blocks both ways including list blocks, mutes).
 */
import type { Db } from '../db/index.ts'
import { INVALID_HANDLE } from '@stratus/core/syntax'
import type { ActorInfo, HydrationState, JsonObject, Relationship } from './state.ts'

const CHUNK = 500

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function parseJson(text: string): JsonObject {
  try {
    const v = JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}
  } catch {
    return {}
  }
}

/** Loads actor rows and profiles for DIDs not yet in the state. */
export async function loadActors(db: Db, state: HydrationState, dids: Iterable<string>): Promise<void> {
  const missing = [...new Set(dids)].filter((d) => !state.actors.has(d))
  for (const part of chunks(missing)) {
    const rows = await db
      .selectFrom('actor')
      .leftJoin('profile', 'profile.did', 'actor.did')
      .select([
        'actor.did',
        'actor.handle',
        'actor.status',
        'actor.indexed_at',
        'profile.uri as p_uri',
        'profile.cid as p_cid',
        'profile.display_name',
        'profile.description',
        'profile.avatar_cid',
        'profile.banner_cid',
        'profile.pinned_post',
        'profile.pinned_post_cid',
        'profile.created_at as p_created_at',
        'profile.indexed_at as p_indexed_at',
      ])
      .where('actor.did', 'in', part)
      .execute()
    for (const r of rows) {
      const info: ActorInfo = {
        did: r.did,
        handle: r.handle ?? INVALID_HANDLE,
        status: r.status,
        indexedAt: r.indexed_at,
      }
      if (r.p_uri && r.p_cid) {
        info.profile = {
          uri: r.p_uri,
          cid: r.p_cid,
          displayName: r.display_name ?? undefined,
          description: r.description ?? undefined,
          avatarCid: r.avatar_cid ?? undefined,
          bannerCid: r.banner_cid ?? undefined,
          pinnedPost: r.pinned_post && r.pinned_post_cid ? { uri: r.pinned_post, cid: r.pinned_post_cid } : undefined,
          createdAt: r.p_created_at ?? undefined,
          indexedAt: r.p_indexed_at ?? r.indexed_at,
        }
      }
      state.actors.set(r.did, info)
    }
  }
}

/** Follower/follow/post counts plus how many lists and feeds each account created. */
export async function loadActorCounts(db: Db, state: HydrationState, dids: string[]): Promise<void> {
  for (const part of chunks(dids.filter((d) => state.actors.has(d)))) {
    const aggs = await db.selectFrom('actor_agg').selectAll().where('did', 'in', part).execute()
    const lists = await db
      .selectFrom('list')
      .select(['creator', db.fn.countAll<number>().as('n')])
      .where('creator', 'in', part)
      .groupBy('creator')
      .execute()
    const feeds = await db
      .selectFrom('feed_generator')
      .select(['creator', db.fn.countAll<number>().as('n')])
      .where('creator', 'in', part)
      .groupBy('creator')
      .execute()
    const agg = new Map(aggs.map((a) => [a.did, a]))
    const listN = new Map(lists.map((l) => [l.creator, Number(l.n)]))
    const feedN = new Map(feeds.map((f) => [f.creator, Number(f.n)]))
    for (const did of part) {
      const a = agg.get(did)
      const info = state.actors.get(did) as ActorInfo
      info.counts = {
        followers: Number(a?.followers_count ?? 0),
        follows: Number(a?.follows_count ?? 0),
        posts: Number(a?.posts_count ?? 0),
        lists: listN.get(did) ?? 0,
        feedgens: feedN.get(did) ?? 0,
      }
    }
  }
}

/** The viewer's relationships to `dids` (skipping ones already loaded and the viewer itself). */
export async function loadRelationships(db: Db, state: HydrationState, dids: Iterable<string>): Promise<void> {
  const viewer = state.viewer
  if (!viewer) return
  const missing = [...new Set(dids)].filter((d) => d !== viewer && !state.rels.has(d))
  for (const part of chunks(missing)) {
    const rels = new Map<string, Relationship>(part.map((d) => [d, {}]))
    const [following, followedBy, blocking, blockedBy, muted, blockingByList, blockedByList] = await Promise.all([
      db
        .selectFrom('follow')
        .select(['uri', 'subject as did'])
        .where('creator', '=', viewer)
        .where('subject', 'in', part)
        .execute(),
      db
        .selectFrom('follow')
        .select(['uri', 'creator as did'])
        .where('subject', '=', viewer)
        .where('creator', 'in', part)
        .execute(),
      db
        .selectFrom('block')
        .select(['uri', 'subject as did'])
        .where('creator', '=', viewer)
        .where('subject', 'in', part)
        .execute(),
      db
        .selectFrom('block')
        .select(['uri', 'creator as did'])
        .where('subject', '=', viewer)
        .where('creator', 'in', part)
        .execute(),
      db
        .selectFrom('mute')
        .select(['subject as did'])
        .where('muter', '=', viewer)
        .where('subject', 'in', part)
        .execute(),
      db
        .selectFrom('list_block')
        .innerJoin('list_item', 'list_item.list_uri', 'list_block.subject')
        .select(['list_block.subject as uri', 'list_item.subject as did'])
        .where('list_block.creator', '=', viewer)
        .where('list_item.subject', 'in', part)
        .execute(),
      db
        .selectFrom('list_block')
        .innerJoin('list_item', 'list_item.list_uri', 'list_block.subject')
        .select(['list_block.subject as uri', 'list_block.creator as did'])
        .where('list_item.subject', '=', viewer)
        .where('list_block.creator', 'in', part)
        .execute(),
    ])
    for (const r of following) (rels.get(r.did) as Relationship).following ??= r.uri
    for (const r of followedBy) (rels.get(r.did) as Relationship).followedBy ??= r.uri
    for (const r of blocking) (rels.get(r.did) as Relationship).blocking ??= r.uri
    for (const r of blockedBy) (rels.get(r.did) as Relationship).blockedBy ??= r.uri
    for (const r of muted) (rels.get(r.did) as Relationship).muted = true
    for (const r of blockingByList) (rels.get(r.did) as Relationship).blockingByList ??= r.uri
    for (const r of blockedByList) (rels.get(r.did) as Relationship).blockedByList ??= r.uri
    for (const [did, rel] of rels) state.rels.set(did, rel)
  }
}
