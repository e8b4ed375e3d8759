/**
 * Shared by the feed endpoints: page through feed_item rows (posts and reposts, newest first, keyset
 * cursor), turn them into FeedItems, hydrate and render them with the viewer's blocks and mutes applied.
 */
import type { SelectQueryBuilder } from 'kysely'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import type { AppViewSchema } from '../db/index.ts'
import { type StatementCtx, selectRepostCids } from '../hydration/queries.ts'
import { type FeedItem, type Json, feedView } from '../views/index.ts'
import { type Cursor, encodeCursor } from './util.ts'

// feed_item aliased `fi`, possibly joined with more tables (the author feed's filters)
export type FeedItemQuery = SelectQueryBuilder<AppViewSchema & { fi: AppViewSchema['feed_item'] }, 'fi', object>
type AnyFeedItemQuery = SelectQueryBuilder<any, any, object>

export interface Row {
  uri: string
  type: 'post' | 'repost'
  post_uri: string
  originator: string
  sort_at: string
}

/** Runs a feed_item query (aliased `fi`), newest first after the cursor; returns items and the next cursor. */
export async function pageFeedItems(
  st: StatementCtx,
  q: FeedItemQuery | AnyFeedItemQuery,
  cursor: Cursor | undefined,
  limit: number,
): Promise<{ items: FeedItem[]; cursor?: string }> {
  let query = (q as FeedItemQuery).select(['fi.uri', 'fi.type', 'fi.post_uri', 'fi.originator', 'fi.sort_at'])
  if (cursor) {
    query = query.where((eb) =>
      eb.or([
        eb('fi.sort_at', '<', cursor.sortAt),
        eb.and([eb('fi.sort_at', '=', cursor.sortAt), eb('fi.uri', '<', cursor.uri)]),
      ]),
    )
  }
  const rows = (await query.orderBy('fi.sort_at', 'desc').orderBy('fi.uri', 'desc').limit(limit).execute()) as Row[]
  return feedPage(st, rows, limit)
}

/** FeedItems (with repost CIDs) and the next cursor for a page of feed_item rows, newest first. */
export async function feedPage(
  st: StatementCtx,
  rows: Row[],
  limit: number,
): Promise<{ items: FeedItem[]; cursor?: string }> {
  // Repost CIDs for the page only (joining them into the scan would cost a lookup per scanned row).
  const repostUris = [...new Set(rows.filter((r) => r.type === 'repost').map((r) => r.uri))]
  const cids = new Map<string, string>()
  if (repostUris.length > 0) for (const r of await selectRepostCids.all(st, [repostUris])) cids.set(r.uri, r.cid)
  const items = rows.map((r): FeedItem => {
    if (r.type !== 'repost') return { postUri: r.post_uri }
    return {
      postUri: r.post_uri,
      repost: { uri: r.uri, cid: cids.get(r.uri) ?? '', by: r.originator, indexedAt: r.sort_at },
    }
  })
  const last = rows[rows.length - 1]
  return { items, cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined }
}

/** Hydrates and renders feed items for the viewer. */
export async function renderFeed(
  app: AppViewContext,
  viewer: string | undefined,
  items: FeedItem[],
  opts: { keepMuted?: boolean } = {},
): Promise<Json[]> {
  const state = app.hydrator.state(viewer)
  await app.hydrator.feedItems(
    state,
    items.map((i) => ({ postUri: i.postUri, repostBy: i.repost?.by })),
  )
  return feedView(viewCtx(app, state), items, opts)
}
