/**
 * Account search shared by searchActors and searchActorsTypeahead: handle prefix or display-name
 * substring, case-insensitive; active accounts only; ranked by followers then handle. Accounts blocked
 * either way with the viewer are left out by the callers' views.
 */
import { sql } from 'kysely'
import type { AppViewContext } from '../context.ts'

export async function searchActorDids(
  app: AppViewContext,
  q: string,
  limit: number,
  offset: number,
): Promise<string[]> {
  const term = q.trim().toLowerCase().replace(/^@/, '')
  if (!term) return []
  const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`)
  const rows = await app.db
    .selectFrom('actor')
    .leftJoin('profile', 'profile.did', 'actor.did')
    .leftJoin('actor_agg', 'actor_agg.did', 'actor.did')
    .select('actor.did')
    .where('actor.status', '=', 'active')
    .where((eb) =>
      eb.or([
        sql<boolean>`actor.handle like ${`${escaped}%`} escape '\\'`,
        sql<boolean>`lower(profile.display_name) like ${`%${escaped}%`} escape '\\'`,
        eb('actor.did', '=', term),
      ]),
    )
    .orderBy(sql`coalesce(actor_agg.followers_count, 0)`, 'desc')
    .orderBy('actor.handle')
    .limit(limit)
    .offset(offset)
    .execute()
  return rows.map((r) => r.did)
}
