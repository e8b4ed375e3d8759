/**
 * The timeline skeleton: the newest feed items (posts and reposts) by the viewer and everyone they follow.
 * Instead of collecting every item of every followee and sorting them all, each followee contributes only
 * its newest `limit` items (the page cannot need more from one account), read from the covering
 * (originator, sort_at, uri, type, post_uri) index: on SQLite by a range bounded below by the followee's
 * limit-th newest item (a correlated scalar subquery), on PostgreSQL by a LATERAL join with LIMIT. Work is
 * bounded by followees × limit however long their histories are, and touches no table rows.
 */
import { sql } from 'kysely'
import type { AppViewContext } from '../context.ts'
import type { Cursor } from './util.ts'

export interface SkeletonRow {
  uri: string
  type: 'post' | 'repost'
  post_uri: string
  originator: string
  sort_at: string
}

export async function timelineSkeleton(
  app: AppViewContext,
  viewer: string,
  cursor: Cursor | undefined,
  limit: number,
): Promise<SkeletonRow[]> {
  const before = (t: string) =>
    cursor
      ? sql`and (${sql.ref(`${t}.sort_at`)} < ${cursor.sortAt} or (${sql.ref(`${t}.sort_at`)} = ${cursor.sortAt} and ${sql.ref(`${t}.uri`)} < ${cursor.uri}))`
      : sql``
  const followees = sql`select ${viewer} as subject union all select subject from follow where creator = ${viewer}`
  const query =
    app.appDb.dialect === 'sqlite'
      ? sql<SkeletonRow>`
        with f(subject) as (${followees})
        select fi.uri, fi.type, fi.post_uri, fi.originator, fi.sort_at
        from f join feed_item fi on fi.originator = f.subject ${before('fi')} and fi.sort_at >= coalesce((
          select x.sort_at from feed_item x where x.originator = f.subject ${before('x')}
          order by x.sort_at desc limit 1 offset ${limit - 1}), '')
        order by fi.sort_at desc, fi.uri desc limit ${limit}`
      : sql<SkeletonRow>`
        select fi.uri, fi.type, fi.post_uri, fi.originator, fi.sort_at
        from (${followees}) f
        cross join lateral (
          select x.uri, x.type, x.post_uri, x.originator, x.sort_at from feed_item x
          where x.originator = f.subject ${before('x')}
          order by x.sort_at desc, x.uri desc limit ${limit}) fi
        order by fi.sort_at desc, fi.uri desc limit ${limit}`
  return (await query.execute(app.db)).rows
}
