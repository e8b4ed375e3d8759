/**
 * Helpers shared by the indexing plugins: record field readers (JSON form), sort times, notifications and
 * the aggregate recounts. Counts are always recomputed from the source rows (never incremented), so they
 * cannot drift under replays, duplicates or out-of-order deletes.
 */
import { SqliteAdapter, sql } from 'kysely'
import type { Db } from '../db/index.ts'
import { type Prepared, prepared } from '../db/prepared.ts'
import type { IndexCtx, JsonObject } from './types.ts'

export const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** `{uri, cid}` strong ref, or undefined. */
export function strongRef(v: unknown): { uri: string; cid: string } | undefined {
  if (!isObj(v) || typeof v.uri !== 'string' || typeof v.cid !== 'string') return undefined
  if (!v.uri.startsWith('at://')) return undefined
  return { uri: v.uri, cid: v.cid }
}

/** The DID an AT-URI lives in (undefined when the authority is not a DID). */
export function uriDid(uri: string): string | undefined {
  const host = uri.slice('at://'.length).split('/')[0]
  return host.startsWith('did:') ? host : undefined
}

/**
 * A DID's rows in `record`. SQLite has no did index (migration 002): the rows are the primary-key range
 * 'at://<did>/'…'at://<did>0' ('0' follows '/' bytewise). PostgreSQL uses its did index.
 */
export function didRecords(db: Db, did: string) {
  const q = db.selectFrom('record').where('did', '=', did)
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return q
  return q.where('uri', '>', `at://${did}/`).where('uri', '<', `at://${did}0`)
}

/** Collection part of an AT-URI. */
export function uriCollection(uri: string): string | undefined {
  return uri.slice('at://'.length).split('/')[1]
}

/** Blob CID of a blob ref in JSON form (also the legacy `{cid, mimeType}` form). */
export function blobCid(v: unknown): string | undefined {
  if (!isObj(v)) return undefined
  if (isObj(v.ref) && typeof v.ref.$link === 'string') return v.ref.$link
  return str(v.cid)
}

/** Normalized ISO time of a record's createdAt, or undefined if it is not a usable datetime. */
export function normalizeTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined
  const ms = Date.parse(v)
  if (!Number.isFinite(ms)) return undefined
  const d = new Date(ms)
  return d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999 ? undefined : d.toISOString()
}

/** min(createdAt, indexedAt): records cannot sort ahead of the moment we saw them. */
export function sortAt(createdAt: string | undefined, indexedAt: string): string {
  return createdAt !== undefined && createdAt < indexedAt ? createdAt : indexedAt
}

/** An insert whose outcome nobody reads: held back for a multi-row statement when the batch allows it. */
export async function write(ctx: IndexCtx, stmt: Prepared<unknown>, args: unknown[]): Promise<void> {
  if (ctx.later) ctx.later.add(stmt, args)
  else await stmt.run(ctx, args)
}

export interface NotificationInput {
  recipient: string | undefined
  author: string
  recordUri: string
  recordCid: string
  reason: 'like' | 'repost' | 'follow' | 'mention' | 'reply' | 'quote'
  reasonSubject?: string
  sortAt: string
}

const insertNotification = prepared((db, a) =>
  db
    .insertInto('notification')
    .values({
      recipient: a(0),
      author: a(1),
      record_uri: a(2),
      record_cid: a(3),
      reason: a(4),
      reason_subject: a(5),
      sort_at: a(6),
    })
    .onConflict((oc) => oc.columns(['recipient', 'record_uri', 'reason']).doNothing()),
)

export async function notify(ctx: IndexCtx, n: NotificationInput): Promise<void> {
  if (!n.recipient || n.recipient === n.author) return
  const args = [n.recipient, n.author, n.recordUri, n.recordCid, n.reason, n.reasonSubject ?? null, n.sortAt]
  await write(ctx, insertNotification, args)
}

type RecordCount = 'like_count' | 'repost_count' | 'reply_count' | 'quote_count'

function recordCountQuery(db: Db, field: RecordCount, uri: string) {
  switch (field) {
    case 'like_count':
      return db.selectFrom('like').select(sql<number>`count(distinct creator)`.as('n')).where('subject', '=', uri)
    case 'repost_count':
      return db.selectFrom('repost').select(sql<number>`count(distinct creator)`.as('n')).where('subject', '=', uri)
    case 'reply_count':
      return db.selectFrom('post').select(sql<number>`count(*)`.as('n')).where('reply_parent', '=', uri)
    case 'quote_count':
      return db.selectFrom('post').select(sql<number>`count(*)`.as('n')).where('embed_uri', '=', uri)
  }
}

function recordRecount(field: RecordCount) {
  return prepared((db, a) => {
    const n = recordCountQuery(db, field, a(0))
    return db
      .insertInto('record_agg')
      .values({ uri: a(0), like_count: 0, repost_count: 0, reply_count: 0, quote_count: 0, [field]: n })
      .onConflict((oc) => oc.column('uri').doUpdateSet({ [field]: n }))
  })
}

const RECORD_RECOUNT = {
  like_count: recordRecount('like_count'),
  repost_count: recordRecount('repost_count'),
  reply_count: recordRecount('reply_count'),
  quote_count: recordRecount('quote_count'),
}

/** Recomputes one count of a record (post, feed generator, …) from the source rows (at the batch's end). */
export async function recountRecord(ctx: IndexCtx, uri: string | null | undefined, field: RecordCount): Promise<void> {
  if (!uri) return
  if (ctx.recounts) ctx.recounts.add(`${field} ${uri}`)
  else await RECORD_RECOUNT[field].run(ctx, [uri])
}

type ActorCount = 'followers_count' | 'follows_count' | 'posts_count'

function actorCountQuery(db: Db, field: ActorCount, did: string) {
  switch (field) {
    case 'followers_count':
      return db.selectFrom('follow').select(sql<number>`count(distinct creator)`.as('n')).where('subject', '=', did)
    case 'follows_count':
      return db.selectFrom('follow').select(sql<number>`count(distinct subject)`.as('n')).where('creator', '=', did)
    case 'posts_count':
      return db.selectFrom('post').select(sql<number>`count(*)`.as('n')).where('creator', '=', did)
  }
}

function actorRecount(field: ActorCount) {
  return prepared((db, a) => {
    const n = actorCountQuery(db, field, a(0))
    return db
      .insertInto('actor_agg')
      .values({ did: a(0), followers_count: 0, follows_count: 0, posts_count: 0, [field]: n })
      .onConflict((oc) => oc.column('did').doUpdateSet({ [field]: n }))
  })
}

const ACTOR_RECOUNT = {
  followers_count: actorRecount('followers_count'),
  follows_count: actorRecount('follows_count'),
  posts_count: actorRecount('posts_count'),
}

export async function recountActor(ctx: IndexCtx, did: string | null | undefined, field: ActorCount): Promise<void> {
  if (!did) return
  if (ctx.recounts) ctx.recounts.add(`${field} ${did}`)
  else await ACTOR_RECOUNT[field].run(ctx, [did])
}

const RECOUNTS: Record<string, { run(ctx: IndexCtx, args: unknown[]): Promise<number> }> = {
  ...RECORD_RECOUNT,
  ...ACTOR_RECOUNT,
}

/** One PostgreSQL statement per count for a whole list of keys (SQLite runs one cheap statement per key). */
const PG_COUNTS: Record<string, [table: string, key: string, count: string]> = {
  like_count: ['record_agg', 'uri', 'select count(distinct creator) from "like" where subject = k'],
  repost_count: ['record_agg', 'uri', 'select count(distinct creator) from repost where subject = k'],
  reply_count: ['record_agg', 'uri', 'select count(*) from post where reply_parent = k'],
  quote_count: ['record_agg', 'uri', 'select count(*) from post where embed_uri = k'],
  followers_count: ['actor_agg', 'did', 'select count(distinct creator) from follow where subject = k'],
  follows_count: ['actor_agg', 'did', 'select count(distinct subject) from follow where creator = k'],
  posts_count: ['actor_agg', 'did', 'select count(*) from post where creator = k'],
}
const PG_RECOUNT = Object.fromEntries(
  Object.entries(PG_COUNTS).map(([field, [table, key, count]]) => [
    field,
    prepared(
      (_db, a) =>
        sql`insert into ${sql.table(table)} (${sql.ref(key)}, ${sql.ref(field)}) select k, (${sql.raw(count)}) from unnest(${a(0)}::text[]) as k on conflict (${sql.ref(key)}) do update set ${sql.ref(field)} = excluded.${sql.ref(field)}`,
    ),
  ]),
)

/** Runs the recounts deferred during a batch (keys `<field> <uri or did>`). */
export async function runRecounts(ctx: IndexCtx, keys: Iterable<string>): Promise<void> {
  if (ctx.dialect === 'postgres') {
    const byField = new Map<string, string[]>()
    for (const key of keys) {
      const sp = key.indexOf(' ')
      const field = key.slice(0, sp)
      let list = byField.get(field)
      if (!list) byField.set(field, (list = []))
      list.push(key.slice(sp + 1))
    }
    for (const [field, list] of byField) {
      for (let i = 0; i < list.length; i += 5000) await PG_RECOUNT[field].run(ctx, [list.slice(i, i + 5000)])
    }
    return
  }
  for (const key of keys) {
    const sp = key.indexOf(' ')
    await RECOUNTS[key.slice(0, sp)].run(ctx, [key.slice(sp + 1)])
  }
}
