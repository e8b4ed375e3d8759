/** app.bsky.notification.getUnreadCount: visible notifications newer than the last updateSeen (or `seenAt`). */
import { sql } from 'kysely'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { lastSeen, visibleNotifications } from './notification-util.ts'
import { json } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.notification.getUnreadCount',
    async ({ params, auth }) => {
      const given = params.seenAt as string | undefined
      const ms = given ? Date.parse(given) : Number.NaN
      const seenAt = Number.isFinite(ms) ? new Date(ms).toISOString() : await lastSeen(app, auth.did)
      let q = visibleNotifications(app, auth.did).select(sql<number>`count(*)`.as('n'))
      if (seenAt) q = q.where('n.sort_at', '>', seenAt)
      const row = await q.executeTakeFirst()
      return json({ count: Number(row?.n ?? 0) })
    },
    { auth: app.auth.required },
  )
}
