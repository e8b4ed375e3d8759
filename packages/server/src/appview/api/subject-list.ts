/**
 * Shared by getLikes and getRepostedBy: the accounts that liked/reposted a record, newest first, with a
 * keyset cursor; accounts blocked either way with the viewer are left out.
 */
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { type Json, profileView } from '../views/index.ts'
import { type Cursor, encodeCursor } from './util.ts'

export interface SubjectRow {
  uri: string
  creator: string
  created_at: string
  indexed_at: string
  sort_at: string
}

export async function subjectRows(
  app: AppViewContext,
  table: 'like' | 'repost',
  subject: string,
  cid: string | undefined,
  cursor: Cursor | undefined,
  limit: number,
): Promise<{ rows: SubjectRow[]; cursor?: string }> {
  let q = app.db
    .selectFrom(table)
    .select(['uri', 'creator', 'created_at', 'indexed_at', 'sort_at'])
    .where('subject', '=', subject)
  if (cid) q = q.where('subject_cid', '=', cid)
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
  return { rows, cursor: rows.length === limit && last ? encodeCursor(last.sort_at, last.uri) : undefined }
}

/** Profile views for the rows' creators (visible, not blocked), paired with their row. */
export async function creatorViews(
  app: AppViewContext,
  viewer: string | undefined,
  rows: SubjectRow[],
): Promise<[SubjectRow, Json][]> {
  const state = app.hydrator.state(viewer)
  await app.hydrator.actors(
    state,
    rows.map((r) => r.creator),
  )
  const ctx = viewCtx(app, state)
  const out: [SubjectRow, Json][] = []
  for (const r of rows) {
    if (isBlocked(state, r.creator)) continue
    const v = profileView(ctx, r.creator)
    if (v) out.push([r, v])
  }
  return out
}
