/**
 * Batch loaders for records shown as content: posts (record JSON, counts, the viewer's like and repost),
 * their thread gates and post gates, feed generators and lists (for embeds and their own views).
 */
import { sql } from 'kysely'
import { chunks, parseJson } from './actors.ts'
import { type StatementCtx, selectGates, selectPostState, selectRecords } from './queries.ts'
import type { RecordCache } from './record-cache.ts'
import type { GateInfo, HydrationState, JsonObject } from './state.ts'

/**
 * Posts with fresh counts and viewer state; the record itself comes from `records` when it holds the
 * post's current CID, else from the record table (and is cached).
 */
export async function loadPosts(
  q: StatementCtx,
  state: HydrationState,
  uris: Iterable<string>,
  records?: RecordCache,
): Promise<void> {
  const missing = [...new Set(uris)].filter((u) => !state.posts.has(u) && u.includes('/app.bsky.feed.post/'))
  if (missing.length === 0) return
  const viewer = state.viewer
  const rows = await selectPostState.all(q, [viewer ?? null, missing])
  const found = new Map<string, JsonObject>()
  const fetch: string[] = []
  for (const r of rows) {
    const rec = records?.get(r.uri, r.cid)
    if (rec) found.set(r.uri, rec)
    else fetch.push(r.uri)
  }
  if (fetch.length > 0) {
    for (const r of await selectRecords.all(q, [fetch])) {
      const rec = parseJson(r.json)
      found.set(r.uri, rec)
      records?.set(r.uri, r.cid, rec)
    }
  }
  for (const r of rows) {
    const record = found.get(r.uri)
    if (!record) continue // no record row: not shown (as an inner join would)
    state.posts.set(r.uri, {
      uri: r.uri,
      cid: r.cid,
      creator: r.creator,
      record,
      indexedAt: r.indexed_at,
      sortAt: r.sort_at,
      replyRoot: r.reply_root,
      replyParent: r.reply_parent,
      embedUri: r.embed_uri,
      counts: {
        like: Number(r.like_count ?? 0),
        repost: Number(r.repost_count ?? 0),
        reply: Number(r.reply_count ?? 0),
        quote: Number(r.quote_count ?? 0),
      },
      viewer: viewer ? { like: r.viewer_like ?? undefined, repost: r.viewer_repost ?? undefined } : undefined,
    })
  }
}

/** Thread gates (keyed by post URI) of the given posts, and their post gates. */
export async function loadGates(q: StatementCtx, state: HydrationState, postUris: Iterable<string>): Promise<void> {
  const checked = (state.gatesChecked ??= new Set())
  const uris = [...new Set(postUris)].filter((u) => !checked.has(u))
  if (uris.length === 0) return
  for (const u of uris) checked.add(u)
  for (const r of await selectGates.all(q, [uris])) {
    const target = r.kind === 'threadgate' ? state.threadgates : state.postgates
    target.set(r.post_uri, { uri: r.uri, cid: r.cid, record: parseJson(r.json) } satisfies GateInfo)
  }
}

export async function loadFeedGens({ db }: StatementCtx, state: HydrationState, uris: Iterable<string>): Promise<void> {
  const missing = [...new Set(uris)].filter((u) => !state.feedgens.has(u) && u.includes('/app.bsky.feed.generator/'))
  for (const part of chunks(missing)) {
    const rows = await db
      .selectFrom('feed_generator')
      .innerJoin('record', 'record.uri', 'feed_generator.uri')
      .leftJoin('record_agg', 'record_agg.uri', 'feed_generator.uri')
      .select([
        'feed_generator.uri',
        'feed_generator.cid',
        'feed_generator.creator',
        'feed_generator.feed_did',
        'feed_generator.indexed_at',
        'record.json',
        'record_agg.like_count',
      ])
      .where('feed_generator.uri', 'in', part)
      .execute()
    const likes = state.viewer
      ? await db
          .selectFrom('like')
          .select(['uri', 'subject'])
          .where('creator', '=', state.viewer)
          .where('subject', 'in', part)
          .execute()
      : []
    const liked = new Map(likes.map((l) => [l.subject, l.uri]))
    for (const r of rows) {
      state.feedgens.set(r.uri, {
        uri: r.uri,
        cid: r.cid,
        creator: r.creator,
        did: r.feed_did,
        record: parseJson(r.json),
        indexedAt: r.indexed_at,
        likeCount: Number(r.like_count ?? 0),
        viewerLike: liked.get(r.uri),
      })
    }
  }
}

export async function loadLists({ db }: StatementCtx, state: HydrationState, uris: Iterable<string>): Promise<void> {
  const missing = [...new Set(uris)].filter((u) => !state.lists.has(u) && u.includes('/app.bsky.graph.list/'))
  for (const part of chunks(missing)) {
    const rows = await db
      .selectFrom('list')
      .innerJoin('record', 'record.uri', 'list.uri')
      .select([
        'list.uri',
        'list.cid',
        'list.creator',
        'list.name',
        'list.purpose',
        'list.indexed_at',
        'record.json',
        (eb) =>
          eb
            .selectFrom('list_item')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('list_item.list_uri', '=', 'list.uri')
            .as('item_count'),
      ])
      .where('list.uri', 'in', part)
      .execute()
    const blocks = state.viewer
      ? await db
          .selectFrom('list_block')
          .select(['uri', 'subject'])
          .where('creator', '=', state.viewer)
          .where('subject', 'in', part)
          .execute()
      : []
    const blocked = new Map(blocks.map((b) => [b.subject, b.uri]))
    for (const r of rows) {
      state.lists.set(r.uri, {
        uri: r.uri,
        cid: r.cid,
        creator: r.creator,
        name: r.name,
        purpose: r.purpose,
        record: parseJson(r.json),
        indexedAt: r.indexed_at,
        itemCount: Number(r.item_count ?? 0),
        viewerBlocked: blocked.get(r.uri),
      })
    }
  }
}
