/**
 * app.bsky.feed.post: the post row (reply refs, embed summary), its feed item, facet references (mentions,
 * links, tags), full-text entry, and notifications (reply to the parent's and the root's authors, quote to
 * the quoted author, mention to mentioned accounts — one notification per recipient, reply first).
 * Recounts: the author's posts, the parent's replies, the quoted record's quotes.
 */
import { sql } from 'kysely'
import { prepared } from '../db/prepared.ts'
import type { IndexCtx, IndexedRecord, IndexingPlugin, JsonObject } from './types.ts'
import {
  isObj,
  normalizeTime,
  notify,
  recountActor,
  recountRecord,
  sortAt,
  str,
  strongRef,
  uriDid,
  write,
} from './util.ts'

const MEDIA: Record<string, string> = {
  'app.bsky.embed.images': 'images',
  'app.bsky.embed.video': 'video',
  'app.bsky.embed.external': 'external',
}

interface EmbedSummary {
  type: string | null
  media: string | null
  quote?: { uri: string; cid: string }
}

export function summarizeEmbed(embed: unknown): EmbedSummary {
  if (!isObj(embed) || typeof embed.$type !== 'string') return { type: null, media: null }
  const t = embed.$type
  if (MEDIA[t]) return { type: MEDIA[t], media: MEDIA[t] }
  if (t === 'app.bsky.embed.record') return { type: 'record', media: null, quote: strongRef(embed.record) }
  if (t === 'app.bsky.embed.recordWithMedia') {
    const media = isObj(embed.media) ? (MEDIA[str(embed.media.$type) ?? ''] ?? null) : null
    const inner = isObj(embed.record) ? strongRef(embed.record.record) : undefined
    return { type: 'recordWithMedia', media, quote: inner }
  }
  return { type: null, media: null }
}

/** Facet features and `tags`: [kind, value] pairs, deduplicated. */
export function postRefs(value: JsonObject): [string, string][] {
  const out = new Map<string, [string, string]>()
  const add = (kind: string, v: string) => {
    if (v.length > 0 && v.length <= 2048) out.set(`${kind}\u0000${v}`, [kind, v])
  }
  const facets = Array.isArray(value.facets) ? value.facets : []
  for (const facet of facets) {
    if (!isObj(facet) || !Array.isArray(facet.features)) continue
    for (const f of facet.features) {
      if (!isObj(f)) continue
      if (f.$type === 'app.bsky.richtext.facet#mention' && typeof f.did === 'string') add('mention', f.did)
      if (f.$type === 'app.bsky.richtext.facet#link' && typeof f.uri === 'string') {
        add('link', f.uri)
        try {
          add('domain', new URL(f.uri).hostname.toLowerCase())
        } catch {}
      }
      if (f.$type === 'app.bsky.richtext.facet#tag' && typeof f.tag === 'string') add('tag', f.tag.toLowerCase())
    }
  }
  if (Array.isArray(value.tags)) for (const t of value.tags) if (typeof t === 'string') add('tag', t.toLowerCase())
  return [...out.values()]
}

const insertPost = prepared((db, a) =>
  db.insertInto('post').values({
    uri: a(0),
    cid: a(1),
    creator: a(2),
    text: a(3),
    created_at: a(4),
    indexed_at: a(5),
    sort_at: a(6),
    reply_root: a(7),
    reply_root_cid: a(8),
    reply_parent: a(9),
    reply_parent_cid: a(10),
    embed_uri: a(11),
    embed_cid: a(12),
    embed_type: a(13),
    media_type: a(14),
    langs: a(15),
  }),
)
const insertFeedItem = prepared((db, a) =>
  db.insertInto('feed_item').values({ uri: a(0), type: 'post', post_uri: a(0), originator: a(1), sort_at: a(2) }),
)
const insertRef = prepared((db, a) =>
  db
    .insertInto('post_ref')
    .values({ uri: a(0), kind: a(1), value: a(2) })
    .onConflict((oc) => oc.doNothing()),
)
/**
 * SQLite's full-text row, keyed by the post's rowid. Held back like the post's insert, it is sent after it:
 * a batch's held-back inserts go statement by statement in the order each statement was first used.
 */
const insertFts = prepared(
  (_db, a) => sql`insert into post_fts (rowid, text) values ((select rowid from post where uri = ${a(0)}), ${a(1)})`,
)
const selectPost = prepared<{ creator: string; reply_parent: string | null; embed_uri: string | null }>((db, a) =>
  db.selectFrom('post').select(['creator', 'reply_parent', 'embed_uri']).where('uri', '=', a(0)),
)
const deleteFts = prepared(
  (_db, a) => sql`delete from post_fts where rowid = (select rowid from post where uri = ${a(0)})`,
)
const deletePost = prepared((db, a) => db.deleteFrom('post').where('uri', '=', a(0)))
const deleteFeedItem = prepared((db, a) => db.deleteFrom('feed_item').where('uri', '=', a(0)))
const deleteRefs = prepared((db, a) => db.deleteFrom('post_ref').where('uri', '=', a(0)))

async function insert(ctx: IndexCtx, rec: IndexedRecord): Promise<void> {
  const v = rec.value
  const createdAt = normalizeTime(v.createdAt)
  const at = sortAt(createdAt, rec.indexedAt)
  const reply = isObj(v.reply) ? { root: strongRef(v.reply.root), parent: strongRef(v.reply.parent) } : undefined
  const embed = summarizeEmbed(v.embed)
  const langs = Array.isArray(v.langs) ? v.langs.filter((l) => typeof l === 'string').join(',') : null
  const text = str(v.text) ?? ''
  const post = [
    rec.uri,
    rec.cid,
    rec.did,
    text,
    createdAt ?? rec.indexedAt,
    rec.indexedAt,
    at,
    reply?.root?.uri ?? null,
    reply?.root?.cid ?? null,
    reply?.parent?.uri ?? null,
    reply?.parent?.cid ?? null,
    embed.quote?.uri ?? null,
    embed.quote?.cid ?? null,
    embed.type,
    embed.media,
    langs || null,
  ]
  await write(ctx, insertPost, post)
  if (ctx.dialect === 'sqlite' && text) await write(ctx, insertFts, [rec.uri, text])
  await write(ctx, insertFeedItem, [rec.uri, rec.did, at])
  const refs = postRefs(v)
  for (const [kind, value] of refs) await write(ctx, insertRef, [rec.uri, kind, value])
  await recountActor(ctx, rec.did, 'posts_count')
  await recountRecord(ctx, reply?.parent?.uri, 'reply_count')
  await recountRecord(ctx, embed.quote?.uri, 'quote_count')
  await notifyAll(ctx, rec, at, reply, embed, refs)
}

async function notifyAll(
  ctx: IndexCtx,
  rec: IndexedRecord,
  at: string,
  reply: { root?: { uri: string }; parent?: { uri: string } } | undefined,
  embed: EmbedSummary,
  refs: [string, string][],
): Promise<void> {
  const notified = new Set<string>([rec.did])
  const base = { author: rec.did, recordUri: rec.uri, recordCid: rec.cid, sortAt: at }
  const send = async (recipient: string | undefined, reason: 'reply' | 'quote' | 'mention', subject?: string) => {
    if (!recipient || notified.has(recipient)) return
    notified.add(recipient)
    await notify(ctx, { ...base, recipient, reason, reasonSubject: subject })
  }
  if (reply?.parent) await send(uriDid(reply.parent.uri), 'reply', reply.parent.uri)
  if (reply?.root) await send(uriDid(reply.root.uri), 'reply', reply.root.uri)
  if (embed.quote) await send(uriDid(embed.quote.uri), 'quote', embed.quote.uri)
  for (const [kind, value] of refs) if (kind === 'mention') await send(value, 'mention')
}

async function remove(ctx: IndexCtx, uri: string): Promise<void> {
  const [row] = await selectPost.all(ctx, [uri])
  if (!row) return
  if (ctx.dialect === 'sqlite') await deleteFts.run(ctx, [uri])
  await deletePost.run(ctx, [uri])
  await deleteFeedItem.run(ctx, [uri])
  await deleteRefs.run(ctx, [uri])
  await recountActor(ctx, row.creator, 'posts_count')
  await recountRecord(ctx, row.reply_parent, 'reply_count')
  await recountRecord(ctx, row.embed_uri, 'quote_count')
}

export const postPlugin: IndexingPlugin = { collection: 'app.bsky.feed.post', batched: true, insert, delete: remove }
