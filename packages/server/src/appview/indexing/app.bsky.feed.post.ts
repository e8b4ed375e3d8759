/**
 * app.bsky.feed.post: the post row (reply refs, embed summary), its feed item, facet references (mentions,
 * links, tags), full-text entry, and notifications (reply to the parent's and the root's authors, quote to
 * the quoted author, mention to mentioned accounts — one notification per recipient, reply first).
 * Recounts: the author's posts, the parent's replies, the quoted record's quotes.
 */
import { sql } from 'kysely'
import type { IndexCtx, IndexedRecord, IndexingPlugin, JsonObject } from './types.ts'
import { isObj, normalizeTime, notify, recountActor, recountRecord, sortAt, str, strongRef, uriDid } from './util.ts'

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

async function insert(ctx: IndexCtx, rec: IndexedRecord): Promise<void> {
  const { db } = ctx
  const v = rec.value
  const createdAt = normalizeTime(v.createdAt)
  const at = sortAt(createdAt, rec.indexedAt)
  const reply = isObj(v.reply) ? { root: strongRef(v.reply.root), parent: strongRef(v.reply.parent) } : undefined
  const embed = summarizeEmbed(v.embed)
  const langs = Array.isArray(v.langs) ? v.langs.filter((l) => typeof l === 'string').join(',') : null
  const text = str(v.text) ?? ''
  await db
    .insertInto('post')
    .values({
      uri: rec.uri,
      cid: rec.cid,
      creator: rec.did,
      text,
      created_at: createdAt ?? rec.indexedAt,
      indexed_at: rec.indexedAt,
      sort_at: at,
      reply_root: reply?.root?.uri ?? null,
      reply_root_cid: reply?.root?.cid ?? null,
      reply_parent: reply?.parent?.uri ?? null,
      reply_parent_cid: reply?.parent?.cid ?? null,
      embed_uri: embed.quote?.uri ?? null,
      embed_cid: embed.quote?.cid ?? null,
      embed_type: embed.type,
      media_type: embed.media,
      langs: langs || null,
    })
    .execute()
  await db
    .insertInto('feed_item')
    .values({ uri: rec.uri, type: 'post', post_uri: rec.uri, originator: rec.did, sort_at: at })
    .execute()
  const refs = postRefs(v)
  if (refs.length > 0) {
    await db
      .insertInto('post_ref')
      .values(refs.map(([kind, value]) => ({ uri: rec.uri, kind, value })))
      .execute()
  }
  if (ctx.dialect === 'sqlite' && text) {
    await sql`insert into post_fts (rowid, text) select rowid, text from post where uri = ${rec.uri}`.execute(db)
  }
  await recountActor(db, rec.did, 'posts_count')
  await recountRecord(db, reply?.parent?.uri, 'reply_count')
  await recountRecord(db, embed.quote?.uri, 'quote_count')
  await notifyAll(ctx, rec, at, reply, embed, refs)
}

async function notifyAll(
  { db }: IndexCtx,
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
    await notify(db, { ...base, recipient, reason, reasonSubject: subject })
  }
  if (reply?.parent) await send(uriDid(reply.parent.uri), 'reply', reply.parent.uri)
  if (reply?.root) await send(uriDid(reply.root.uri), 'reply', reply.root.uri)
  if (embed.quote) await send(uriDid(embed.quote.uri), 'quote', embed.quote.uri)
  for (const [kind, value] of refs) if (kind === 'mention') await send(value, 'mention')
}

async function remove(ctx: IndexCtx, uri: string): Promise<void> {
  const { db } = ctx
  const row = await db
    .selectFrom('post')
    .select(['creator', 'reply_parent', 'embed_uri'])
    .where('uri', '=', uri)
    .executeTakeFirst()
  if (!row) return
  if (ctx.dialect === 'sqlite') {
    await sql`delete from post_fts where rowid = (select rowid from post where uri = ${uri})`.execute(db)
  }
  await db.deleteFrom('post').where('uri', '=', uri).execute()
  await db.deleteFrom('feed_item').where('uri', '=', uri).execute()
  await db.deleteFrom('post_ref').where('uri', '=', uri).execute()
  await recountActor(db, row.creator, 'posts_count')
  await recountRecord(db, row.reply_parent, 'reply_count')
  await recountRecord(db, row.embed_uri, 'quote_count')
}

export const postPlugin: IndexingPlugin = { collection: 'app.bsky.feed.post', insert, delete: remove }
