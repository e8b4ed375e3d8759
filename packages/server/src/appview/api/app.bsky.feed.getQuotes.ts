/** app.bsky.feed.getQuotes: posts quoting a post, newest first (detached and blocked quotes left out). */
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { compact, isDetached, postView } from '../views/index.ts'
import { decodeCursor, encodeCursor, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.getQuotes',
    async ({ params, auth }) => {
      const uri = params.uri as string
      const cid = params.cid as string | undefined
      const cursor = decodeCursor(params.cursor)
      const limit = limitOf(params)
      let q = app.db.selectFrom('post').select(['uri', 'sort_at']).where('embed_uri', '=', uri)
      if (cid) q = q.where('embed_cid', '=', cid)
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
      await app.hydrator.posts(state, [uri, ...rows.map((r) => r.uri)])
      const ctx = viewCtx(app, state)
      const posts = rows
        .filter((r) => !isDetached(state, uri, r.uri) && !isBlocked(state, state.posts.get(r.uri)?.creator ?? ''))
        .map((r) => postView(ctx, r.uri))
        .filter((v) => v !== undefined)
      const last = rows[rows.length - 1]
      return json(
        compact({
          uri,
          cid,
          cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined,
          posts,
        }),
      )
    },
    { auth: app.auth.optional },
  )
}
