/**
 * Small helpers for the API handlers: JSON results, keyset cursors (`<sort_at>::<uri>`), actor lookup by
 * handle or DID, and the errors the app.bsky lexicons name.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { AppViewContext } from '../context.ts'

/**
 * A JSON response. View objects are already in the JSON form (records are stored that way), so a plain
 * JSON.stringify is exact and skips the data-model conversion of the generic output path.
 */
export function json(body: unknown): Response {
  const text = JSON.stringify(body)
  const res = new Response(text, { headers: { 'content-type': 'application/json; charset=utf-8' } })
  texts.set(res, text)
  return res
}

const texts = new WeakMap<Response, string>()

/** The JSON text of a response made by `json` (reader threads send it on without reading the body). */
export const jsonText = (res: Response): string | undefined => texts.get(res)

export interface Cursor {
  sortAt: string
  uri: string
}

export function encodeCursor(sortAt: string, uri: string): string {
  return `${sortAt}::${uri}`
}

export function decodeCursor(cursor: unknown): Cursor | undefined {
  if (typeof cursor !== 'string' || cursor === '') return undefined
  const i = cursor.indexOf('::')
  if (i < 0) throw new InvalidRequestError('malformed cursor')
  return { sortAt: cursor.slice(0, i), uri: cursor.slice(i + 2) }
}

/** Offset cursors for rankings that have no stable key (search results, suggestions). */
export function decodeOffset(cursor: unknown): number {
  if (typeof cursor !== 'string' || cursor === '') return 0
  const n = Number(cursor)
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidRequestError('malformed cursor')
  return n
}

/** A DID for an actor parameter (DID or handle); undefined if we do not know it. */
export async function resolveActor(app: AppViewContext, actor: string): Promise<string | undefined> {
  if (actor.startsWith('did:')) {
    const row = await app.db.selectFrom('actor').select('did').where('did', '=', actor).executeTakeFirst()
    return row?.did
  }
  const row = await app.db
    .selectFrom('actor')
    .select('did')
    .where('handle', '=', actor.toLowerCase())
    .executeTakeFirst()
  return row?.did
}

/** Like resolveActor, but an unknown actor is the lexicon's error. */
export async function requireActor(app: AppViewContext, actor: string, what = 'Profile'): Promise<string> {
  const did = await resolveActor(app, actor)
  if (!did) throw new InvalidRequestError(`${what} not found`)
  return did
}

/** Throws the errors the official AppView uses for accounts that cannot be shown. */
export async function assertActorVisible(app: AppViewContext, did: string): Promise<void> {
  const row = await app.db.selectFrom('actor').select('status').where('did', '=', did).executeTakeFirst()
  if (!row) throw new InvalidRequestError('Profile not found')
  if (row.status === 'takendown' || row.status === 'suspended')
    throw new InvalidRequestError('Account has been suspended', 'AccountTakedown')
  if (row.status !== 'active') throw new InvalidRequestError('Account is deactivated', 'AccountDeactivated')
}

export function limitOf(params: Record<string, unknown>, fallback = 50): number {
  const n = params.limit
  return typeof n === 'number' ? n : fallback
}
