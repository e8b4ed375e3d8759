/** app.bsky.feed.getRepostedBy: who reposted a post, newest first. */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { compact } from '../views/index.ts'
import { creatorViews, subjectRows } from './subject-list.ts'
import { decodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getRepostedBy',
    async ({ params, auth }) => {
      const uri = params.uri as string
      const cid = params.cid as string | undefined
      const page = await subjectRows(app, 'repost', uri, cid, decodeCursor(params.cursor), limitOf(params))
      const repostedBy = (await creatorViews(app, auth.did, page.rows)).map(([, actor]) => actor)
      return json(compact({ uri, cid, cursor: page.cursor, repostedBy }))
    },
    { auth: app.auth.optional },
  )
}
