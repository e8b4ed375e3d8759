/** app.bsky.actor.getProfile: one account's detailed profile (counts, viewer state). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { profileViewDetailed } from '../views/index.ts'
import { assertActorVisible, json, requireActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.actor.getProfile',
    async ({ params, auth }) => {
      const did = await requireActor(app, params.actor as string)
      await assertActorVisible(app, did)
      const state = app.hydrator.state(auth.did)
      await app.hydrator.actors(state, [did], { detailed: true })
      return json(profileViewDetailed(viewCtx(app, state), did))
    },
    { auth: app.auth.optional },
  )
}
