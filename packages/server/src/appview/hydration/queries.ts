/**
 * The hydrator's hot statements, prepared once (db/prepared.ts): each takes its URIs or DIDs as one list
 * argument, so its SQL never changes with the batch size, and each answers what used to take several
 * queries — posts with their counts and the viewer's like and repost; every relationship between the
 * viewer and a batch of accounts; thread gates and post gates together. Fewer, fixed statements matter on
 * SQLite (no Kysely building, no re-preparing) and more on PostgreSQL (one round trip instead of seven).
 */
import { type RawBuilder, sql } from 'kysely'
import { type StatementCtx, inList, prepared } from '../db/prepared.ts'

export interface Rows<R> {
  all(ctx: StatementCtx, args: unknown[]): Promise<R[]>
}

/**
 * A prepared statement whose rows come back from SQLite as one JSON text (json_group_array of json_array
 * over the query), parsed by JSON.parse and turned into objects by a function made for the columns:
 * better-sqlite3 makes each row object and each value through N-API, about 0.3 µs a value, several times
 * what building and parsing the JSON costs. `columns` names the query's output columns in order; `order`
 * (column names) the rows' order when it matters. Elsewhere (PostgreSQL) the query runs as written.
 */
export function preparedRows<R>(
  columns: readonly (keyof R & string)[],
  build: (arg: (i: number) => string, dialect: 'sqlite' | 'postgres') => RawBuilder<unknown>,
  order?: string,
): Rows<R> {
  for (const c of columns) if (!/^[a-z_]+$/.test(c)) throw new Error(`bad column name ${c}`)
  const stmt = prepared<R | { j: string }>((_db, a, d) => {
    const query = build(a, d)
    if (d !== 'sqlite') return query
    const values = sql.join(columns.map((c) => sql.ref(`r.${c}`)))
    return sql`select json_group_array(json_array(${values})${sql.raw(order ? ` order by ${order}` : '')}) as j from (${query}) r`
  })
  // one object literal per row: every row gets the same hidden class
  const toRow = new Function('a', `return {${columns.map((c, i) => `${c}: a[${i}]`).join(', ')}}`) as (
    a: unknown[],
  ) => R
  return {
    all: async (ctx, args) => {
      const rows = await stmt.all(ctx, args)
      if (ctx.dialect !== 'sqlite') return rows as R[]
      return (JSON.parse((rows[0] as { j: string }).j) as unknown[][]).map(toRow)
    },
  }
}

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
export const selectPostState = preparedRows<PostStateRow>(
  [
    'uri',
    'cid',
    'creator',
    'indexed_at',
    'sort_at',
    'reply_root',
    'reply_parent',
    'embed_uri',
    'like_count',
    'repost_count',
    'reply_count',
    'quote_count',
    'viewer_like',
    'viewer_repost',
  ],
  (a, d) => sql`
    select p.uri, p.cid, p.creator, p.indexed_at, p.sort_at, p.reply_root, p.reply_parent, p.embed_uri,
      g.like_count, g.repost_count, g.reply_count, g.quote_count,
      (select l.uri from "like" l where l.creator = ${a(0)} and l.subject = p.uri limit 1) as viewer_like,
      (select rp.uri from repost rp where rp.creator = ${a(0)} and rp.subject = p.uri limit 1) as viewer_repost
    from post p
    left join record_agg g on g.uri = p.uri
    where ${inList(d, 'p.uri', a(1))}`,
)

/** args: record URIs. */
export const selectRecords = preparedRows<{ uri: string; cid: string; json: string }>(
  ['uri', 'cid', 'json'],
  (a, d) => sql`select uri, cid, json from record where ${inList(d, 'uri', a(0))}`,
)

export interface GateRow {
  kind: 'threadgate' | 'postgate'
  uri: string
  cid: string
  post_uri: string
  json: string
}

/** args: post URIs. */
export const selectGates = preparedRows<GateRow>(['kind', 'uri', 'cid', 'post_uri', 'json'], (a, d) => {
  // on SQLite the list is parsed once for both branches
  const among = (column: string) => (d === 'sqlite' ? sql`${sql.ref(column)} in ids` : inList(d, column, a(0)))
  return sql`
    ${d === 'sqlite' ? sql`with ids(uri) as materialized (select value from json_each(${a(0)}))` : sql``}
    select 'threadgate' as kind, t.uri, t.cid, t.post_uri, r.json
    from threadgate t join record r on r.uri = t.uri where ${among('t.post_uri')}
    union all
    select 'postgate' as kind, t.uri, t.cid, t.post_uri, r.json
    from postgate t join record r on r.uri = t.uri where ${among('t.post_uri')}`
})

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
export const selectActors = preparedRows<ActorRow>(
  [
    'did',
    'handle',
    'status',
    'indexed_at',
    'p_uri',
    'p_cid',
    'display_name',
    'description',
    'avatar_cid',
    'banner_cid',
    'pinned_post',
    'pinned_post_cid',
    'p_created_at',
    'p_indexed_at',
  ],
  (a, d) => sql`
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
export const selectActorCounts = preparedRows<ActorCountsRow>(
  ['did', 'followers_count', 'follows_count', 'posts_count', 'lists', 'feedgens'],
  (a, d) => sql`
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

/** args: viewer DID, other DIDs (on SQLite parsed once, not once per branch). */
export const selectRelationships = preparedRows<RelationRow>(['kind', 'uri', 'did'], (a, d) => {
  const among = (column: string) => (d === 'sqlite' ? sql`${sql.ref(column)} in ids` : inList(d, column, a(1)))
  return sql`
    ${d === 'sqlite' ? sql`with ids(did) as materialized (select value from json_each(${a(1)}))` : sql``}
    select 'following' as kind, uri, subject as did from follow
      where creator = ${a(0)} and ${among('subject')}
    union all
    select 'followedBy' as kind, uri, creator as did from follow
      where subject = ${a(0)} and ${among('creator')}
    union all
    select 'blocking' as kind, uri, subject as did from block
      where creator = ${a(0)} and ${among('subject')}
    union all
    select 'blockedBy' as kind, uri, creator as did from block
      where subject = ${a(0)} and ${among('creator')}
    union all
    select 'muted' as kind, '' as uri, subject as did from mute
      where muter = ${a(0)} and ${among('subject')}
    union all
    select 'blockingByList' as kind, lb.subject as uri, li.subject as did
      from list_block lb join list_item li on li.list_uri = lb.subject
      where lb.creator = ${a(0)} and ${among('li.subject')}
    union all
    select 'blockedByList' as kind, lb.subject as uri, lb.creator as did
      from list_block lb join list_item li on li.list_uri = lb.subject
      where li.subject = ${a(0)} and ${among('lb.creator')}`
})

export type { StatementCtx }
