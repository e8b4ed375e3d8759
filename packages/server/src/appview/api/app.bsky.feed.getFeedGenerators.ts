/** app.bsky.feed.getFeedGenerators: views of several feeds (unknown ones left out). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { generatorView } from '../views/index.ts'
import { json } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getFeedGenerators',
    async ({ params, auth }) => {
      const uris = [...new Set(params.feeds as string[])]
      const state = app.hydrator.state(auth.did)
      await app.hydrator.feedGens(state, uris)
      const ctx = viewCtx(app, state)
      return json({ feeds: uris.map((u) => generatorView(ctx, u)).filter((v) => v !== undefined) })
    },
    { auth: app.auth.optional },
  )
}
