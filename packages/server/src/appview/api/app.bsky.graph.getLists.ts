/** app.bsky.graph.getLists: the lists an account created, newest first, optionally by purpose. */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { listView } from '../views/index.ts'
import { decodeCursor, encodeCursor, json, limitOf, requireActor } from './util.ts'

const PURPOSES: Record<string, string> = {
  modlist: 'app.bsky.graph.defs#modlist',
  curatelist: 'app.bsky.graph.defs#curatelist',
  referencelist: 'app.bsky.graph.defs#referencelist',
}

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.graph.getLists',
    async ({ params, auth }) => {
      const did = await requireActor(app, params.actor as string)
      const cursor = decodeCursor(params.cursor)
      const limit = limitOf(params)
      let q = app.db.selectFrom('list').select(['uri', 'sort_at']).where('creator', '=', did)
      const purposes = (params.purposes as string[] | undefined)?.map((p) => PURPOSES[p] ?? p)
      if (purposes?.length) q = q.where('purpose', 'in', purposes)
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
      await app.hydrator.lists(
        state,
        rows.map((r) => r.uri),
      )
      const ctx = viewCtx(app, state)
      const last = rows[rows.length - 1]
      return json({
        cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined,
        lists: rows.map((r) => listView(ctx, r.uri)).filter((v) => v !== undefined),
      })
    },
    { auth: app.auth.optional },
  )
}
