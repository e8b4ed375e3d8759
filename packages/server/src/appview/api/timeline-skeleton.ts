/**
 * The timeline skeleton: the newest feed items (posts and reposts) by the viewer and everyone they follow.
 * Instead of collecting every item of every followee and sorting them all, each followee contributes only
 * its newest `limit` items (the page cannot need more from one account), read from the covering
 * (originator, sort_at, uri, type, post_uri) index. On SQLite, every item of the page is at or after
 * T = the latest of the followees' limit-th newest items (the followee that sets T alone has `limit` items
 * at or after it), so only items from T on are read and sorted; on PostgreSQL a LATERAL join with LIMIT. Work is
 * bounded by followees × limit however long their histories are, and touches no table rows.
 * Two prepared statements (db/prepared.ts): first page, later pages.
 */
import { type RawBuilder, sql } from 'kysely'
import { prepared } from '../db/prepared.ts'
import type { AppViewContext } from '../context.ts'
import type { Cursor } from './util.ts'

export interface SkeletonRow {
  uri: string
  type: 'post' | 'repost'
  post_uri: string
  originator: string
  sort_at: string
}

// args: viewer, limit, limit - 1, and with a cursor: sortAt, uri
const skeleton = (paged: boolean) =>
  prepared<SkeletonRow>((_db, a, dialect) => {
    const before = (t: string): RawBuilder<unknown> =>
      paged
        ? sql`and (${sql.ref(`${t}.sort_at`)} < ${a(3)} or (${sql.ref(`${t}.sort_at`)} = ${a(3)} and ${sql.ref(`${t}.uri`)} < ${a(4)}))`
        : sql``
    const followees = sql`select ${a(0)} as subject union all select subject from follow where creator = ${a(0)}`
    return dialect === 'sqlite'
      ? sql`
        with f(subject) as materialized (${followees}),
        t(at) as (select max(coalesce((
          select x.sort_at from feed_item x where x.originator = f.subject ${before('x')}
          order by x.sort_at desc limit 1 offset ${a(2)}), '')) from f)
        select fi.uri, fi.type, fi.post_uri, fi.originator, fi.sort_at
        from f join feed_item fi on fi.originator = f.subject ${before('fi')} and fi.sort_at >= (select at from t)
        order by fi.sort_at desc, fi.uri desc limit ${a(1)}`
      : sql`
        select fi.uri, fi.type, fi.post_uri, fi.originator, fi.sort_at
        from (${followees}) f
        cross join lateral (
          select x.uri, x.type, x.post_uri, x.originator, x.sort_at from feed_item x
          where x.originator = f.subject ${before('x')}
          order by x.sort_at desc, x.uri desc limit ${sql`${a(1)}::int`}) fi
        order by fi.sort_at desc, fi.uri desc limit ${sql`${a(1)}::int`}`
  })
const firstPage = skeleton(false)
const laterPage = skeleton(true)

export async function timelineSkeleton(
  app: AppViewContext,
  viewer: string,
  cursor: Cursor | undefined,
  limit: number,
): Promise<SkeletonRow[]> {
  const q = app.hydrator.q
  return cursor
    ? laterPage.all(q, [viewer, limit, limit - 1, cursor.sortAt, cursor.uri])
    : firstPage.all(q, [viewer, limit, limit - 1])
}
