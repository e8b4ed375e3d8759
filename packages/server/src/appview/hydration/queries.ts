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
 * what building and parsing the JSON costs. `columns` names the query's output columns in order. The
 * aggregate does not keep the query's order, so when the order matters `order` sorts the parsed rows here:
 * an ORDER BY inside json_group_array cost more than the rest of the timeline statement's page. Elsewhere
 * (PostgreSQL) the query runs as written, its ORDER BY included.
 */
export function preparedRows<R>(
  columns: readonly (keyof R & string)[],
  build: (arg: (i: number) => string, dialect: 'sqlite' | 'postgres') => RawBuilder<unknown>,
  order?: (a: R, b: R) => number,
): Rows<R> {
  for (const c of columns) if (!/^[a-z_]+$/.test(c)) throw new Error(`bad column name ${c}`)
  const stmt = prepared<R | { j: string }>((_db, a, d) => {
    const query = build(a, d)
    if (d !== 'sqlite') return query
    const values = sql.join(columns.map((c) => sql.ref(`r.${c}`)))
    return sql`select json_group_array(json_array(${values})) as j from (${query}) r`
  })
  // one object literal per row: every row gets the same hidden class
  const toRow = new Function('a', `return {${columns.map((c, i) => `${c}: a[${i}]`).join(', ')}}`) as (
    a: unknown[],
  ) => R
  return {
    all: async (ctx, args) => {
      if (ctx.dialect !== 'sqlite') return (await stmt.all(ctx, args)) as R[]
      // a list used several times (one json_each per branch) is serialised once, not once per use
      const rows = await stmt.all(
        ctx,
        args.map((v) => (Array.isArray(v) ? JSON.stringify(v) : v)),
      )
      const out = (JSON.parse((rows[0] as { j: string }).j) as unknown[][]).map(toRow)
      return order ? out.sort(order) : out
    },
  }
}

/**
 * The rows of `table` (as `alias`) whose `column` is in the list argument `arg`, as a FROM item and a
 * WHERE condition. On SQLite the list drives the join — a point lookup per element, in list order (CROSS
 * JOIN fixes the order): `column in (select value from json_each(?))` first builds a temporary index of the
 * list, several times the cost of the lookups themselves (measured 4–10× on the hydration statements).
 * The list must not repeat an element (each would give its row again); the loaders pass sets.
 */
function fromList(
  d: 'sqlite' | 'postgres',
  arg: string,
  table: string,
  alias: string,
  column: string,
): { from: RawBuilder<unknown>; where: RawBuilder<unknown> } {
  const t = sql`${sql.table(table)} as ${sql.raw(alias)}`
  const c = sql.ref(`${alias}.${column}`)
  if (d !== 'sqlite') return { from: t, where: inList(d, `${alias}.${column}`, arg) }
  return { from: sql`json_each(${arg}) as ids cross join ${t}`, where: sql`${c} = ids.value` }
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
  (a, d) => {
    const p = fromList(d, a(1), 'post', 'p', 'uri')
    return sql`
    select p.uri, p.cid, p.creator, p.indexed_at, p.sort_at, p.reply_root, p.reply_parent, p.embed_uri,
      g.like_count, g.repost_count, g.reply_count, g.quote_count,
      (select l.uri from "like" l where l.creator = ${a(0)} and l.subject = p.uri limit 1) as viewer_like,
      (select rp.uri from repost rp where rp.creator = ${a(0)} and rp.subject = p.uri limit 1) as viewer_repost
    from ${p.from}
    left join record_agg g on g.uri = p.uri
    where ${p.where}`
  },
)

/** args: record URIs. */
export const selectRecords = preparedRows<{ uri: string; cid: string; json: string }>(
  ['uri', 'cid', 'json'],
  (a, d) => {
    const r = fromList(d, a(0), 'record', 'r', 'uri')
    return sql`select r.uri, r.cid, r.json from ${r.from} where ${r.where}`
  },
)

/** args: repost URIs. */
export const selectRepostCids = preparedRows<{ uri: string; cid: string }>(['uri', 'cid'], (a, d) => {
  const r = fromList(d, a(0), 'repost', 'rp', 'uri')
  return sql`select rp.uri, rp.cid from ${r.from} where ${r.where}`
})

export interface GateRow {
  kind: 'threadgate' | 'postgate'
  uri: string
  cid: string
  post_uri: string
  json: string
}

/** args: post URIs. */
export const selectGates = preparedRows<GateRow>(['kind', 'uri', 'cid', 'post_uri', 'json'], (a, d) => {
  const tg = fromList(d, a(0), 'threadgate', 't', 'post_uri')
  const pg = fromList(d, a(0), 'postgate', 't', 'post_uri')
  return sql`
    select 'threadgate' as kind, t.uri, t.cid, t.post_uri, r.json
    from ${tg.from} join record r on r.uri = t.uri where ${tg.where}
    union all
    select 'postgate' as kind, t.uri, t.cid, t.post_uri, r.json
    from ${pg.from} join record r on r.uri = t.uri where ${pg.where}`
})

const actorsIn = (d: 'sqlite' | 'postgres', arg: string) => fromList(d, arg, 'actor', 'a', 'did')

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
    from ${actorsIn(d, a(0)).from} left join profile p on p.did = a.did
    where ${actorsIn(d, a(0)).where}`,
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
    from ${actorsIn(d, a(0)).from} left join actor_agg g on g.did = a.did
    where ${actorsIn(d, a(0)).where}`,
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
export const selectRelationships = preparedRows<RelationRow>(['kind', 'uri', 'did'], (a, d) => {
  // one kind: the rows of `table` whose `viewerCol` is the viewer and whose `otherCol` is a listed account
  const rows = (kind: string, table: string, alias: string, viewerCol: string, otherCol: string, uri: string) => {
    const x = fromList(d, a(1), table, alias, otherCol)
    return sql`select ${sql.lit(kind)} as kind, ${sql.raw(uri)} as uri, ${sql.ref(`${alias}.${otherCol}`)} as did
      from ${x.from} where ${x.where} and ${sql.ref(`${alias}.${viewerCol}`)} = ${a(0)}`
  }
  return sql`
    ${rows('following', 'follow', 'f', 'creator', 'subject', 'f.uri')}
    union all ${rows('followedBy', 'follow', 'f', 'subject', 'creator', 'f.uri')}
    union all ${rows('blocking', 'block', 'b', 'creator', 'subject', 'b.uri')}
    union all ${rows('blockedBy', 'block', 'b', 'subject', 'creator', 'b.uri')}
    union all ${rows('muted', 'mute', 'm', 'muter', 'subject', "''")}
    union all
    select 'blockingByList' as kind, lb.subject as uri, li.subject as did
      from list_block lb join list_item li on li.list_uri = lb.subject
      where lb.creator = ${a(0)} and ${inList(d, 'li.subject', a(1))}
    union all
    select 'blockedByList' as kind, lb.subject as uri, lb.creator as did
      from list_block lb join list_item li on li.list_uri = lb.subject
      where li.subject = ${a(0)} and ${inList(d, 'lb.creator', a(1))}`
})

export type { StatementCtx }
