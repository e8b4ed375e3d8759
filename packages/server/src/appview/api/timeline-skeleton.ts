/**
 * The timeline skeleton: the newest feed items (posts and reposts) by the viewer and everyone they follow,
 * read from the covering (originator, sort_at, uri, type, post_uri) index without touching table rows.
 *
 * On SQLite, one statement: first T, the limit-th newest among each account's j newest items (j =
 * ceil(2 × limit / n) for n accounts, so a handful each): limit items are at or after T, so the page's
 * oldest item is too. Then only items at or after T are read and sorted: about limit of them, where taking
 * each account's `limit` newest would read n × limit. If that finds fewer than `limit` items (T is null
 * when the accounts' j newest are fewer than `limit`: most accounts are quiet, or there is not more), a
 * second statement takes j = limit, which makes T exact. On PostgreSQL a LATERAL join takes each account's
 * newest `limit` items in one statement. Work is bounded by the follow count, not by the histories.
 */
import { type RawBuilder, sql } from 'kysely'
import { prepared } from '../db/prepared.ts'
import type { AppViewContext } from '../context.ts'
import { type Rows, preparedRows } from '../hydration/queries.ts'
import type { Cursor } from './util.ts'

export interface SkeletonRow {
  uri: string
  type: 'post' | 'repost'
  post_uri: string
  originator: string
  sort_at: string
}

const COLUMNS = ['uri', 'type', 'post_uri', 'originator', 'sort_at'] as const

// args: viewer, limit, and with a cursor: sortAt, uri
const before = (paged: boolean, a: (i: number) => string, t: string): RawBuilder<unknown> =>
  paged
    ? sql`and (${sql.ref(`${t}.sort_at`)} < ${a(2)} or (${sql.ref(`${t}.sort_at`)} = ${a(2)} and ${sql.ref(`${t}.uri`)} < ${a(3)}))`
    : sql``

// union, not union all: a repeated follow record (or following oneself) must not count an account twice
const followees = (a: (i: number) => string) =>
  sql`select ${a(0)} as subject union select subject from follow where creator = ${a(0)}`

/**
 * SQLite: T, the limit-th newest of the accounts' j newest items (null if there are fewer); an account with
 * fewer than j items gives all. args: viewer, limit, …cursor; `j` an SQL expression.
 */
const threshold = (paged: boolean, a: (i: number) => string, j: RawBuilder<unknown>, limit: number) => sql`
  select x.sort_at from f join feed_item x on x.originator = f.subject ${before(paged, a, 'x')} and x.sort_at >= coalesce((
    select y.sort_at from feed_item y where y.originator = f.subject ${before(paged, a, 'y')}
    order by y.sort_at desc limit 1 offset ${j} - 1), '')
  order by x.sort_at desc limit 1 offset ${sql.lit(limit - 1)}`

/**
 * SQLite: the page, items at or after `t` (an SQL expression). args: viewer, limit, …cursor. The limit is
 * written into the statements (one set per limit): with a bound LIMIT this statement took 1.6 times as long.
 */
const page = (paged: boolean, a: (i: number) => string, t: RawBuilder<unknown>, limit: number) => sql`
  select fi.uri, fi.type, fi.post_uri, fi.originator, fi.sort_at
  from f join feed_item fi on fi.originator = f.subject ${before(paged, a, 'fi')} and fi.sort_at >= ${t}
  order by fi.sort_at desc, fi.uri desc limit ${sql.lit(limit)}`

/** sort_at, then uri, descending (both ASCII: code-unit order is SQLite's byte order). */
const newestFirst = (a: SkeletonRow, b: SkeletonRow): number =>
  a.sort_at !== b.sort_at ? (a.sort_at < b.sort_at ? 1 : -1) : a.uri < b.uri ? 1 : a.uri > b.uri ? -1 : 0

/** SQLite, usually all it takes: T with j = ceil(2 × limit / accounts), then the page. No rows if T is null. */
const sqliteFast = (paged: boolean, limit: number) =>
  preparedRows<SkeletonRow>(
    COLUMNS,
    (a) => {
      const j = sql`(select min(${sql.lit(limit)}, (${sql.lit(2 * limit)} + count(*) - 1) / count(*)) from f)`
      return sql`
        with f(subject) as materialized (${followees(a)}),
        t(at) as materialized (${threshold(paged, a, j, limit)})
        ${page(paged, a, sql`(select at from t)`, limit)}`
    },
    newestFirst,
  )

/** SQLite, when the fast statement found fewer than `limit` items: T with j = limit, which is exact. */
const sqliteExact = (paged: boolean, limit: number) =>
  preparedRows<SkeletonRow>(
    COLUMNS,
    (a) => sql`
      with f(subject) as materialized (${followees(a)}),
      t(at) as materialized (${threshold(paged, a, sql.lit(limit), limit)})
      ${page(paged, a, sql`coalesce((select at from t), '')`, limit)}`,
    newestFirst,
  )

/** PostgreSQL: the page in one statement; args: viewer, limit, …cursor. */
const postgresPage = (paged: boolean) =>
  prepared<SkeletonRow>(
    (_db, a) => sql`
      select fi.uri, fi.type, fi.post_uri, fi.originator, fi.sort_at
      from (${followees(a)}) f
      cross join lateral (
        select x.uri, x.type, x.post_uri, x.originator, x.sort_at from feed_item x
        where x.originator = f.subject ${before(paged, a, 'x')}
        order by x.sort_at desc, x.uri desc limit ${sql`${a(1)}::int`}) fi
      order by fi.sort_at desc, fi.uri desc limit ${sql`${a(1)}::int`}`,
  )

/** SQLite statements per page kind and limit (the lexicon allows 1–100), made on first use. */
const sqliteStatements = new Map<string, { fast: Rows<SkeletonRow>; exact: Rows<SkeletonRow> }>()
function sqliteFor(paged: boolean, limit: number) {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`bad limit ${limit}`)
  const key = `${paged} ${limit}`
  let s = sqliteStatements.get(key)
  if (!s) sqliteStatements.set(key, (s = { fast: sqliteFast(paged, limit), exact: sqliteExact(paged, limit) }))
  return s
}
const postgresFirst = postgresPage(false)
const postgresLater = postgresPage(true)

export async function timelineSkeleton(
  app: AppViewContext,
  viewer: string,
  cursor: Cursor | undefined,
  limit: number,
): Promise<SkeletonRow[]> {
  const q = app.hydrator.q
  const args = cursor ? [viewer, limit, cursor.sortAt, cursor.uri] : [viewer, limit]
  if (q.dialect !== 'sqlite') return (cursor ? postgresLater : postgresFirst).all(q, args)
  const s = sqliteFor(cursor !== undefined, limit)
  const rows = await s.fast.all(q, args)
  return rows.length === limit ? rows : s.exact.all(q, args)
}
