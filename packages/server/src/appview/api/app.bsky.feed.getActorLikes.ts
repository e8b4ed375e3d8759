/**
 * app.bsky.feed.getActorLikes: the posts an account liked, newest like first. Likes are only shown to
 * their author (as the official AppView does): asking for someone else's is an error.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import type { FeedItem } from '../views/index.ts'
import { renderFeed } from './feed-util.ts'
import { decodeCursor, encodeCursor, json, limitOf, requireActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getActorLikes',
    async ({ params, auth }) => {
      const did = await requireActor(app, params.actor as string)
      if (did !== auth.did) throw new InvalidRequestError('Profile not found')
      const cursor = decodeCursor(params.cursor)
      const limit = limitOf(params)
      let q = app.db
        .selectFrom('like')
        .select(['uri', 'subject', 'sort_at'])
        .where('creator', '=', did)
        .where('subject', 'like', 'at://%/app.bsky.feed.post/%')
      if (cursor) {
        q = q.where((eb) =>
          eb.or([
            eb('sort_at', '<', cursor.sortAt),
            eb.and([eb('sort_at', '=', cursor.sortAt), eb('uri', '<', cursor.uri)]),
          ]),
        )
      }
      const rows = await q.orderBy('sort_at', 'desc').orderBy('uri', 'desc').limit(limit).execute()
      const items: FeedItem[] = rows.map((r) => ({ postUri: r.subject }))
      const last = rows[rows.length - 1]
      const next = rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined
      return json({ cursor: next, feed: await renderFeed(app, auth.did, items) })
    },
    { auth: app.auth.required },
  )
}
