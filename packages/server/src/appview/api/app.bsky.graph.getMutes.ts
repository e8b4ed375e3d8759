/** app.bsky.graph.getMutes: the accounts the viewer muted (private to the viewer), newest first. */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { profiles } from './graph-util.ts'
import { decodeCursor, encodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.graph.getMutes',
    async ({ params, auth }) => {
      const cursor = decodeCursor(params.cursor)
      const limit = limitOf(params)
      let q = app.db.selectFrom('mute').select(['subject', 'created_at']).where('muter', '=', auth.did)
      if (cursor) {
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', cursor.sortAt),
            eb.and([eb('created_at', '=', cursor.sortAt), eb('subject', '<', cursor.uri)]),
          ]),
        )
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('subject', 'desc').limit(limit).execute()
      const { list } = await profiles(
        app,
        auth.did,
        rows.map((r) => r.subject),
        undefined,
        false,
      )
      const last = rows[rows.length - 1]
      return json({
        cursor: rows.length === limit && last ? encodeCursor(last.created_at, last.subject) : undefined,
        mutes: list,
      })
    },
    { auth: app.auth.required },
  )
}
