/** app.bsky.notification.updateSeen: remember when the viewer last looked (never moves backwards). */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.procedure(
    'app.bsky.notification.updateSeen',
    async ({ input, auth }) => {
      const raw = (input?.body as { seenAt?: string } | undefined)?.seenAt
      const ms = Date.parse(raw ?? '')
      if (!Number.isFinite(ms)) throw new InvalidRequestError('seenAt is not a datetime')
      const seenAt = new Date(ms).toISOString()
      const prev = await app.db
        .selectFrom('notification_seen')
        .select('seen_at')
        .where('did', '=', auth.did)
        .executeTakeFirst()
      if (prev && prev.seen_at >= seenAt) return
      await app.db
        .insertInto('notification_seen')
        .values({ did: auth.did, seen_at: seenAt })
        .onConflict((oc) => oc.column('did').doUpdateSet({ seen_at: seenAt }))
        .execute()
    },
    { auth: app.auth.required },
  )
}
