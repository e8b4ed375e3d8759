/**
 * The hydrator's hot statements, prepared once (db/prepared.ts): each takes its URIs or DIDs as one list
 * argument, so its SQL never changes with the batch size, and each answers what used to take several
 * queries — posts with their counts and the viewer's like and repost; every relationship between the
 * viewer and a batch of accounts; thread gates and post gates together. Fewer, fixed statements matter on
 * SQLite (no Kysely building, no re-preparing) and more on PostgreSQL (one round trip instead of seven).
 */
import { sql } from 'kysely'
import { type StatementCtx, inList, prepared } from '../db/prepared.ts'

export interface PostRow {
  uri: string
  cid: string
  creator: string
  indexed_at: string
  sort_at: string
  reply_root: string | null
  reply_parent: string | null
  embed_uri: string | null
  json: string
  like_count: number | null
  repost_count: number | null
  reply_count: number | null
  quote_count: number | null
  viewer_like: string | null
  viewer_repost: string | null
}

export type PostStateRow = Omit<PostRow, 'json'>

/**
 * Posts with counts and the viewer's like and repost, without the record JSON (the Hydrator's record cache
 * usually has it; selectRecords fetches the rest). args: viewer DID (or null), post URIs.
 */
export const selectPostState = prepared<PostStateRow>(
  (_db, a, d) => sql`
    select p.uri, p.cid, p.creator, p.indexed_at, p.sort_at, p.reply_root, p.reply_parent, p.embed_uri,
      g.like_count, g.repost_count, g.reply_count, g.quote_count,
      (select l.uri from "like" l where l.creator = ${a(0)} and l.subject = p.uri limit 1) as viewer_like,
      (select rp.uri from repost rp where rp.creator = ${a(0)} and rp.subject = p.uri limit 1) as viewer_repost
    from post p
    left join record_agg g on g.uri = p.uri
    where ${inList(d, 'p.uri', a(1))}`,
)

/** args: record URIs. */
export const selectRecords = prepared<{ uri: string; cid: string; json: string }>(
  (_db, a, d) => sql`select uri, cid, json from record where ${inList(d, 'uri', a(0))}`,
)

export interface GateRow {
  kind: 'threadgate' | 'postgate'
  uri: string
  cid: string
  post_uri: string
  json: string
}

/** args: post URIs. */
export const selectGates = prepared<GateRow>(
  (_db, a, d) => sql`
    select 'threadgate' as kind, t.uri, t.cid, t.post_uri, r.json
    from threadgate t join record r on r.uri = t.uri where ${inList(d, 't.post_uri', a(0))}
    union all
    select 'postgate' as kind, t.uri, t.cid, t.post_uri, r.json
    from postgate t join record r on r.uri = t.uri where ${inList(d, 't.post_uri', a(0))}`,
)

export interface ActorRow {
  did: string
  handle: string | null
  status: string
  indexed_at: string
  p_uri: string | null
  p_cid: string | null
  display_name: string | null
  description: string | null
  avatar_cid: string | null
  banner_cid: string | null
  pinned_post: string | null
  pinned_post_cid: string | null
  p_created_at: string | null
  p_indexed_at: string | null
}

/** args: DIDs. */
export const selectActors = prepared<ActorRow>(
  (_db, a, d) => sql`
    select a.did, a.handle, a.status, a.indexed_at, p.uri as p_uri, p.cid as p_cid, p.display_name,
      p.description, p.avatar_cid, p.banner_cid, p.pinned_post, p.pinned_post_cid,
      p.created_at as p_created_at, p.indexed_at as p_indexed_at
    from actor a left join profile p on p.did = a.did
    where ${inList(d, 'a.did', a(0))}`,
)

export interface ActorCountsRow {
  did: string
  followers_count: number | null
  follows_count: number | null
  posts_count: number | null
  lists: number
  feedgens: number
}

/** args: DIDs. */
export const selectActorCounts = prepared<ActorCountsRow>(
  (_db, a, d) => sql`
    select a.did, g.followers_count, g.follows_count, g.posts_count,
      (select count(*) from list l where l.creator = a.did) as lists,
      (select count(*) from feed_generator f where f.creator = a.did) as feedgens
    from actor a left join actor_agg g on g.did = a.did
    where ${inList(d, 'a.did', a(0))}`,
)

export type RelationKind =
  | 'following'
  | 'followedBy'
  | 'blocking'
  | 'blockedBy'
  | 'muted'
  | 'blockingByList'
  | 'blockedByList'

export interface RelationRow {
  kind: RelationKind
  /** The record (or, for list blocks, the list) that makes the relationship; '' for mutes. */
  uri: string
  did: string
}

/** args: viewer DID, other DIDs. */
export const selectRelationships = prepared<RelationRow>(
  (_db, a, d) => sql`
    select 'following' as kind, uri, subject as did from follow
      where creator = ${a(0)} and ${inList(d, 'subject', a(1))}
    union all
    select 'followedBy' as kind, uri, creator as did from follow
      where subject = ${a(0)} and ${inList(d, 'creator', a(1))}
    union all
    select 'blocking' as kind, uri, subject as did from block
      where creator = ${a(0)} and ${inList(d, 'subject', a(1))}
    union all
    select 'blockedBy' as kind, uri, creator as did from block
      where subject = ${a(0)} and ${inList(d, 'creator', a(1))}
    union all
    select 'muted' as kind, '' as uri, subject as did from mute
      where muter = ${a(0)} and ${inList(d, 'subject', a(1))}
    union all
    select 'blockingByList' as kind, lb.subject as uri, li.subject as did
      from list_block lb join list_item li on li.list_uri = lb.subject
      where lb.creator = ${a(0)} and ${inList(d, 'li.subject', a(1))}
    union all
    select 'blockedByList' as kind, lb.subject as uri, lb.creator as did
      from list_block lb join list_item li on li.list_uri = lb.subject
      where li.subject = ${a(0)} and ${inList(d, 'lb.creator', a(1))}`,
)

export type { StatementCtx }
