/**
 * app.bsky.feed.searchPosts: full-text search over post text (SQLite FTS5, PostgreSQL to_tsvector
 * 'simple'), every word required, with the lexicon's filters: author, mentions, lang, domain, url, tag
 * (all given), since/until. sort 'latest' (default) is newest first; 'top' ranks by likes + reposts.
 * Offset cursor. Posts by accounts blocked either way with the viewer are left out.
 */
import { sql } from 'kysely'
import type { XrpcRouter } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'
import { viewCtx } from '../context.ts'
import { isBlocked } from '../hydration/state.ts'
import { postView } from '../views/index.ts'
import { decodeOffset, json, limitOf, resolveActor } from './util.ts'

/** Words of the query (letters, digits, marks), at most 16. */
export function searchTerms(q: string): string[] {
  return (q.toLowerCase().match(/[\p{L}\p{N}\p{M}_]+/gu) ?? []).slice(0, 16)
}

export default function (router: XrpcRouter, app: AppViewContext): void {
  router.query(
    'app.bsky.feed.searchPosts',
    async ({ params, auth }) => {
      const limit = limitOf(params, 25)
      const offset = decodeOffset(params.cursor)
      const uris = await search(app, params, limit, offset)
      if (uris === undefined) return json({ posts: [] })
      const state = app.hydrator.state(auth.did)
      await app.hydrator.posts(state, uris)
      const ctx = viewCtx(app, state)
      const posts = uris
        .filter((u) => !isBlocked(state, state.posts.get(u)?.creator ?? ''))
        .map((u) => postView(ctx, u))
        .filter((v) => v !== undefined)
      return json({ cursor: uris.length === limit ? String(offset + limit) : undefined, posts })
    },
    { auth: app.auth.optional },
  )
}

async function search(
  app: AppViewContext,
  params: Record<string, unknown>,
  limit: number,
  offset: number,
): Promise<string[] | undefined> {
  const terms = searchTerms((params.q as string) ?? '')
  if (terms.length === 0) return undefined
  let q = app.db.selectFrom('post').leftJoin('record_agg', 'record_agg.uri', 'post.uri').select(['post.uri'])
  if (app.appDb.dialect === 'sqlite') {
    const match = terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' ')
    q = q.where(sql<boolean>`post.rowid in (select rowid from post_fts where post_fts match ${match})`)
  } else {
    q = q.where(sql<boolean>`to_tsvector('simple', post.text) @@ plainto_tsquery('simple', ${terms.join(' ')})`)
  }
  for (const [param, kind] of [
    ['mentions', 'mention'],
    ['domain', 'domain'],
    ['url', 'link'],
  ] as const) {
    const raw = params[param] as string | undefined
    if (!raw) continue
    const v = param === 'mentions' ? await resolveActor(app, raw) : param === 'domain' ? raw.toLowerCase() : raw
    if (!v) return undefined
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('post_ref')
          .select('post_ref.uri')
          .whereRef('post_ref.uri', '=', 'post.uri')
          .where('kind', '=', kind)
          .where('value', '=', v),
      ),
    )
  }
  const tags = Array.isArray(params.tag) ? (params.tag as string[]) : params.tag ? [params.tag as string] : []
  for (const tag of tags) {
    const t = tag.toLowerCase()
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('post_ref')
          .select('post_ref.uri')
          .whereRef('post_ref.uri', '=', 'post.uri')
          .where('kind', '=', 'tag')
          .where('value', '=', t),
      ),
    )
  }
  if (params.author) {
    const did = await resolveActor(app, params.author as string)
    if (!did) return undefined
    q = q.where('post.creator', '=', did)
  }
  if (params.lang) q = q.where('post.langs', 'like', `%${String(params.lang).replace(/[%_]/g, '')}%`)
  const since = isoOrUndefined(params.since)
  const until = isoOrUndefined(params.until)
  if (since) q = q.where('post.sort_at', '>=', since)
  if (until) q = q.where('post.sort_at', '<', until)
  if (params.sort === 'top') {
    q = q.orderBy(sql`coalesce(record_agg.like_count, 0) + coalesce(record_agg.repost_count, 0)`, 'desc')
  }
  const rows = await q.orderBy('post.sort_at', 'desc').orderBy('post.uri', 'desc').limit(limit).offset(offset).execute()
  return rows.map((r) => r.uri)
}

function isoOrUndefined(v: unknown): string | undefined {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
}
