/**
 * app.bsky.feed.getTimeline: reverse-chronological posts and reposts by the accounts the viewer follows
 * and by the viewer, without anything blocked either way or muted.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { pageFeedItems, renderFeed } from './feed-util.ts'
import { decodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getTimeline',
    async ({ params, auth }) => {
      const viewer = auth.did
      const q = app.db
        .selectFrom('feed_item as fi')
        .where((eb) =>
          eb.or([
            eb('fi.originator', '=', viewer),
            eb(
              'fi.originator',
              'in',
              eb.selectFrom('follow').select('follow.subject').where('follow.creator', '=', viewer),
            ),
          ]),
        )
      const page = await pageFeedItems(app.db, q, decodeCursor(params.cursor), limitOf(params))
      return json({ cursor: page.cursor, feed: await renderFeed(app, viewer, page.items) })
    },
    { auth: app.auth.required },
  )
}
