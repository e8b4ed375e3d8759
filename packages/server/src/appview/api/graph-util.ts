/** Shared by the follow/block lists: keyset paging of graph rows and rendering the accounts on them. */
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { type Json, profileView } from '../views/index.ts'
import { type Cursor, encodeCursor } from './util.ts'

export async function pageGraph(
  app: AppViewContext,
  table: 'follow' | 'block',
  side: 'creator' | 'subject',
  did: string,
  cursor: Cursor | undefined,
  limit: number,
): Promise<{ dids: string[]; cursor?: string }> {
  const other = side === 'creator' ? 'subject' : 'creator'
  let q = app.db
    .selectFrom(table)
    .select(['uri', 'sort_at', `${other} as did`])
    .where(side, '=', did)
  if (cursor) {
    q = q.where((eb) =>
      eb.or([
        eb('sort_at', '<', cursor.sortAt),
        eb.and([eb('sort_at', '=', cursor.sortAt), eb('uri', '<', cursor.uri)]),
      ]),
    )
  }
  const rows = await q.orderBy('sort_at', 'desc').orderBy('uri', 'desc').limit(limit).execute()
  const last = rows[rows.length - 1]
  return {
    dids: rows.map((r) => r.did as string),
    cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined,
  }
}

/** Profile views of `dids` plus the subject's; `hideBlocked` drops accounts blocked either way. */
export async function profiles(
  app: AppViewContext,
  viewer: string | undefined,
  dids: string[],
  subject?: string,
  hideBlocked = true,
): Promise<{ list: Json[]; subject?: Json }> {
  const state = app.hydrator.state(viewer)
  await app.hydrator.actors(state, subject ? [...dids, subject] : dids)
  const ctx = viewCtx(app, state)
  const list = dids
    .filter((d) => !hideBlocked || !isBlocked(state, d))
    .map((d) => profileView(ctx, d))
    .filter((v): v is Json => v !== undefined)
  return { list, subject: subject ? profileView(ctx, subject) : undefined }
}
