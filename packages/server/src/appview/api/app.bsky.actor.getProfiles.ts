/** app.bsky.actor.getProfiles: detailed profiles of up to 25 accounts (unknown or hidden ones left out). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { profileViewDetailed } from '../views/index.ts'
import { json, resolveActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.actor.getProfiles',
    async ({ params, auth }) => {
      const actors = params.actors as string[]
      const dids = (await Promise.all(actors.map((a) => resolveActor(app, a)))).filter((d): d is string => !!d)
      const state = app.hydrator.state(auth.did)
      await app.hydrator.actors(state, dids, { detailed: true })
      const ctx = viewCtx(app, state)
      const profiles = [...new Set(dids)].map((d) => profileViewDetailed(ctx, d)).filter((p) => p !== undefined)
      return json({ profiles })
    },
    { auth: app.auth.optional },
  )
}
