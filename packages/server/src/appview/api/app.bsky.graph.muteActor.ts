/**
 * app.bsky.graph.muteActor: a private mute, stored only here (no record in any repository). Muting
 * yourself is refused, as the official AppView does.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { requireActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.procedure(
    'app.bsky.graph.muteActor',
    async ({ input, auth }) => {
      const did = await requireActor(app, (input?.body as { actor: string } | undefined)?.actor ?? '', 'Actor')
      if (did === auth.did) throw new InvalidRequestError('Cannot mute oneself')
      await app.db
        .insertInto('mute')
        .values({ muter: auth.did, subject: did, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['muter', 'subject']).doNothing())
        .execute()
    },
    { auth: app.auth.required },
  )
}
