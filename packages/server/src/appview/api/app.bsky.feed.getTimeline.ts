/**
 * app.bsky.feed.getTimeline: reverse-chronological posts and reposts by the accounts the viewer follows
 * and by the viewer, without anything blocked either way or muted.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { feedPage, renderFeed } from './feed-util.ts'
import { timelineSkeleton } from './timeline-skeleton.ts'
import { decodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getTimeline',
    async ({ params, auth }) => {
      const limit = limitOf(params)
      const rows = await timelineSkeleton(app, auth.did, decodeCursor(params.cursor), limit)
      const page = await feedPage(app.hydrator.q, rows, limit)
      return json({ cursor: page.cursor, feed: await renderFeed(app, auth.did, page.items) })
    },
    { auth: app.auth.required },
  )
}
