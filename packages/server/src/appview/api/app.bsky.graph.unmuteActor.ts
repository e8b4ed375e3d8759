/** app.bsky.graph.unmuteActor: removes a private mute (no error if there was none). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { requireActor } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.procedure(
    'app.bsky.graph.unmuteActor',
    async ({ input, auth }) => {
      const did = await requireActor(app, (input?.body as { actor: string } | undefined)?.actor ?? '', 'Actor')
      await app.db.deleteFrom('mute').where('muter', '=', auth.did).where('subject', '=', did).execute()
    },
    { auth: app.auth.required },
  )
}
