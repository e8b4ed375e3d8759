/**
 * app.bsky.feed.getFeedGenerator: a feed's view, whether its generator's DID resolves to a service
 * (isOnline) and whether that service lists the feed (isValid).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { generatorView } from '../views/index.ts'
import { describeFeedGen, feedGenEndpoint } from './feedgen-client.ts'
import { json } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getFeedGenerator',
    async ({ params, auth }) => {
      const feed = params.feed as string
      const state = app.hydrator.state(auth.did)
      await app.hydrator.feedGens(state, [feed])
      const view = generatorView(viewCtx(app, state), feed)
      const gen = state.feedgens.get(feed)
      if (!view || !gen) throw new InvalidRequestError('could not find feed', 'UnknownFeed')
      const endpoint = await feedGenEndpoint(app, gen.did)
      let isValid = false
      if (endpoint) isValid = (await describeFeedGen(app, endpoint).catch(() => [] as string[])).includes(feed)
      return json({ view, isOnline: !!endpoint, isValid })
    },
    { auth: app.auth.optional },
  )
}
