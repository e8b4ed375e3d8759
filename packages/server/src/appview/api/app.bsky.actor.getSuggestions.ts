/**
 * app.bsky.actor.getSuggestions: accounts to follow — the most-followed active accounts the viewer does
 * not follow yet (excluding the viewer and anyone blocked either way). Offset cursor.
 */
import { sql } from 'kysely'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { profileView } from '../views/index.ts'
import { decodeOffset, json, limitOf } from './util.ts'

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.actor.getSuggestions',
    async ({ params, auth }) => {
      const limit = limitOf(params, 50)
      const offset = decodeOffset(params.cursor)
      let q = app.db
        .selectFrom('actor')
        .leftJoin('actor_agg', 'actor_agg.did', 'actor.did')
        .select('actor.did')
        .where('actor.status', '=', 'active')
        .where('actor.handle', 'is not', null)
      if (auth.did) {
        const viewer = auth.did
        q = q
          .where('actor.did', '!=', viewer)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('follow')
                  .select('uri')
                  .where('creator', '=', viewer)
                  .whereRef('subject', '=', 'actor.did'),
              ),
            ),
          )
      }
      const rows = await q
        .orderBy(sql`coalesce(actor_agg.followers_count, 0)`, 'desc')
        .orderBy('actor.did')
        .limit(limit)
        .offset(offset)
        .execute()
      const dids = rows.map((r) => r.did)
      const state = app.hydrator.state(auth.did)
      await app.hydrator.actors(state, dids)
      const ctx = viewCtx(app, state)
      const actors = dids
        .filter((d) => !isBlocked(state, d))
        .map((d) => profileView(ctx, d))
        .filter((v) => v !== undefined)
      return json({ cursor: dids.length === limit ? String(offset + limit) : undefined, actors })
    },
    { auth: app.auth.optional },
  )
}
