/**
 * app.bsky.notification.listNotifications: the viewer's notifications, newest first (likes, reposts,
 * follows, replies, mentions, quotes), without blocked/muted/inactive authors, each with the record that
 * caused it and whether it is older than the last updateSeen. Optional `reasons` filter.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { parseJson } from '../hydration/actors.ts'
import { notificationView } from '../views/index.ts'
import { lastSeen, visibleNotifications } from './notification-util.ts'
import { compact } from '../views/index.ts'
import { decodeCursor, encodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.notification.listNotifications',
    async ({ params, auth }) => {
      const viewer = auth.did
      const cursor = decodeCursor(params.cursor)
      const limit = limitOf(params)
      let q = visibleNotifications(app, viewer)
        .innerJoin('record as r', 'r.uri', 'n.record_uri')
        .select(['n.author', 'n.record_uri', 'n.record_cid', 'n.reason', 'n.reason_subject', 'n.sort_at', 'r.json'])
      const reasons = params.reasons as string[] | undefined
      if (reasons?.length) q = q.where('n.reason', 'in', reasons)
      if (cursor) {
        q = q.where((eb) =>
          eb.or([
            eb('n.sort_at', '<', cursor.sortAt),
            eb.and([eb('n.sort_at', '=', cursor.sortAt), eb('n.record_uri', '<', cursor.uri)]),
          ]),
        )
      }
      const rows = await q.orderBy('n.sort_at', 'desc').orderBy('n.record_uri', 'desc').limit(limit).execute()
      const seenAt = await lastSeen(app, viewer)
      const state = app.hydrator.state(viewer)
      await app.hydrator.actors(
        state,
        rows.map((r) => r.author),
      )
      const ctx = viewCtx(app, state)
      const notifications = rows
        .map((r) => notificationView(ctx, { ...r, record: parseJson(r.json) }, seenAt))
        .filter((v) => v !== undefined)
      const last = rows[rows.length - 1]
      return json(
        compact({
          cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.record_uri) : undefined,
          notifications,
          seenAt,
        }),
      )
    },
    { auth: app.auth.required },
  )
}
