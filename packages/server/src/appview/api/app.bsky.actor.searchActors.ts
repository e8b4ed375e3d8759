/** app.bsky.actor.searchActors: accounts by handle prefix or display name (offset cursor). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { profileView } from '../views/index.ts'
import { searchActorDids } from './actor-search.ts'
import { decodeOffset, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.actor.searchActors',
    async ({ params, auth }) => {
      const q = (params.q ?? params.term ?? '') as string
      const limit = limitOf(params, 25)
      const offset = decodeOffset(params.cursor)
      const dids = await searchActorDids(app, q, limit, offset)
      const state = app.hydrator.state(auth.did)
      await app.hydrator.actors(state, dids)
      const ctx = viewCtx(app, state)
      const actors = dids
        .filter((d) => !isBlocked(state, d))
        .map((d) => profileView(ctx, d))
        .filter((v) => v !== undefined)
      return json({ cursor: dids.length === limit ? String(offset + limit) : undefined, actors })
    },
    { auth: app.auth.optional },
  )
}
