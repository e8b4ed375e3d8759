/** app.bsky.feed.getLikes: who liked a post (or feed), newest first. */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { compact } from '../views/index.ts'
import { creatorViews, subjectRows } from './subject-list.ts'
import { decodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getLikes',
    async ({ params, auth }) => {
      const uri = params.uri as string
      const cid = params.cid as string | undefined
      const page = await subjectRows(app, 'like', uri, cid, decodeCursor(params.cursor), limitOf(params))
      const likes = (await creatorViews(app, auth.did, page.rows)).map(([r, actor]) => ({
        indexedAt: r.indexed_at,
        createdAt: r.created_at,
        actor,
      }))
      return json(compact({ uri, cid, cursor: page.cursor, likes }))
    },
    { auth: app.auth.optional },
  )
}
