/**
 * Batch loaders for records shown as content: posts (record JSON, counts, the viewer's like and repost),
 * their thread gates and post gates, feed generators and lists (for embeds and their own views).
 */
import { sql } from 'kysely'
import type { Db } from '../db/index.ts'
import { chunks, parseJson } from './actors.ts'
import type { GateInfo, HydrationState } from './state.ts'

export async function loadPosts(db: Db, state: HydrationState, uris: Iterable<string>): Promise<void> {
  const missing = [...new Set(uris)].filter((u) => !state.posts.has(u) && u.includes('/app.bsky.feed.post/'))
  for (const part of chunks(missing)) {
    const rows = await db
      .selectFrom('post')
      .innerJoin('record', 'record.uri', 'post.uri')
      .leftJoin('record_agg', 'record_agg.uri', 'post.uri')
      .select([
        'post.uri',
        'post.cid',
        'post.creator',
        'post.indexed_at',
        'post.sort_at',
        'post.reply_root',
        'post.reply_parent',
        'post.embed_uri',
        'record.json',
        'record_agg.like_count',
        'record_agg.repost_count',
        'record_agg.reply_count',
        'record_agg.quote_count',
      ])
      .where('post.uri', 'in', part)
      .execute()
    for (const r of rows) {
      state.posts.set(r.uri, {
        uri: r.uri,
        cid: r.cid,
        creator: r.creator,
        record: parseJson(r.json),
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
      })
    }
    if (state.viewer)
      await loadPostViewer(
        db,
        state,
        rows.map((r) => r.uri),
      )
  }
}

async function loadPostViewer(db: Db, state: HydrationState, uris: string[]): Promise<void> {
  if (uris.length === 0 || !state.viewer) return
  const viewer = state.viewer
  const [likes, reposts] = await Promise.all([
    db
      .selectFrom('like')
      .select(['uri', 'subject'])
      .where('creator', '=', viewer)
      .where('subject', 'in', uris)
      .execute(),
    db
      .selectFrom('repost')
      .select(['uri', 'subject'])
      .where('creator', '=', viewer)
      .where('subject', 'in', uris)
      .execute(),
  ])
  for (const uri of uris) {
    const p = state.posts.get(uri)
    if (p) p.viewer = {}
  }
  for (const l of likes) {
    const v = state.posts.get(l.subject)?.viewer
    if (v) v.like ??= l.uri
  }
  for (const r of reposts) {
    const v = state.posts.get(r.subject)?.viewer
    if (v) v.repost ??= r.uri
  }
}

/** Thread gates (keyed by post URI) of the given posts, and their post gates. */
export async function loadGates(db: Db, state: HydrationState, postUris: Iterable<string>): Promise<void> {
  const uris = [...new Set(postUris)].filter((u) => !state.threadgates.has(u) || !state.postgates.has(u))
  for (const [table, target] of [
    ['threadgate', state.threadgates],
    ['postgate', state.postgates],
  ] as const) {
    for (const part of chunks(uris.filter((u) => !target.has(u)))) {
      const rows = await db
        .selectFrom(table)
        .innerJoin('record', 'record.uri', `${table}.uri`)
        .select([`${table}.uri as uri`, `${table}.cid as cid`, `${table}.post_uri as post_uri`, 'record.json'])
        .where(`${table}.post_uri`, 'in', part)
        .execute()
      for (const r of rows)
        target.set(r.post_uri, { uri: r.uri, cid: r.cid, record: parseJson(r.json) } satisfies GateInfo)
    }
  }
}

export async function loadFeedGens(db: Db, state: HydrationState, uris: Iterable<string>): Promise<void> {
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

export async function loadLists(db: Db, state: HydrationState, uris: Iterable<string>): Promise<void> {
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
