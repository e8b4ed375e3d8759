/** app.bsky.graph.getList: a list and its members, newest first. Unknown list: 'List not found'. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { listView, profileView } from '../views/index.ts'
import { decodeCursor, encodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.graph.getList',
    async ({ params, auth }) => {
      const uri = params.list as string
      const cursor = decodeCursor(params.cursor)
      const limit = limitOf(params)
      let q = app.db.selectFrom('list_item').select(['uri', 'subject', 'sort_at']).where('list_uri', '=', uri)
      if (cursor) {
        q = q.where((eb) =>
          eb.or([
            eb('sort_at', '<', cursor.sortAt),
            eb.and([eb('sort_at', '=', cursor.sortAt), eb('uri', '<', cursor.uri)]),
          ]),
        )
      }
      const rows = await q.orderBy('sort_at', 'desc').orderBy('uri', 'desc').limit(limit).execute()
      const state = app.hydrator.state(auth.did)
      await app.hydrator.lists(state, [uri])
      await app.hydrator.actors(
        state,
        rows.map((r) => r.subject),
      )
      const ctx = viewCtx(app, state)
      const list = listView(ctx, uri)
      if (!list) throw new InvalidRequestError('List not found')
      const items = rows.flatMap((r) => {
        const subject = profileView(ctx, r.subject)
        return subject ? [{ uri: r.uri, subject }] : []
      })
      const last = rows[rows.length - 1]
      return json({
        cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined,
        list,
        items,
      })
    },
    { auth: app.auth.optional },
  )
}
