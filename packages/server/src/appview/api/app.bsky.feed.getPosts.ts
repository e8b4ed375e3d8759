/** app.bsky.feed.getPosts: up to 25 posts by URI, in the order asked (missing and blocked ones left out). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { postView } from '../views/index.ts'
import { json } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getPosts',
    async ({ params, auth }) => {
      const uris = [...new Set(params.uris as string[])]
      const state = app.hydrator.state(auth.did)
      await app.hydrator.posts(state, uris)
      const ctx = viewCtx(app, state)
      const posts = uris
        .filter((u) => {
          const p = state.posts.get(u)
          return p && !isBlocked(state, p.creator)
        })
        .map((u) => postView(ctx, u))
        .filter((v) => v !== undefined)
      return json({ posts })
    },
    { auth: app.auth.optional },
  )
}
