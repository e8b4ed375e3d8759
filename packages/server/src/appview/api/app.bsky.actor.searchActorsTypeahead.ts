/** app.bsky.actor.searchActorsTypeahead: a few accounts for autocompletion (basic views). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { profileViewBasic } from '../views/index.ts'
import { searchActorDids } from './actor-search.ts'
import { json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.actor.searchActorsTypeahead',
    async ({ params, auth }) => {
      const q = (params.q ?? params.term ?? '') as string
      const dids = await searchActorDids(app, q, limitOf(params, 10), 0)
      const state = app.hydrator.state(auth.did)
      await app.hydrator.actors(state, dids)
      const ctx = viewCtx(app, state)
      const actors = dids
        .filter((d) => !isBlocked(state, d))
        .map((d) => profileViewBasic(ctx, d))
        .filter((v) => v !== undefined)
      return json({ actors })
    },
    { auth: app.auth.optional },
  )
}
