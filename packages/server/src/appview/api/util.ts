/**
 * Small helpers for the API handlers: JSON results, keyset cursors (`<sort_at>::<uri>`), actor lookup by
 * handle or DID, and the errors the app.bsky lexicons name.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { HandlerOutput } from '../../http/index.ts'
import type { AppViewContext } from '../context.ts'

/**
 * A JSON answer, serialised here: view objects are already in the JSON form (records are stored that way),
 * so a plain JSON.stringify is exact and skips the data-model conversion of the generic output path. The
 * text goes out as it is (no fetch Response to build and stream; no ArrayBuffer on the main thread, see
 * http/reply.ts), or from a reader thread to the main thread as a string.
 */
export function json(body: unknown): HandlerOutput & { body: string } {
  return { encoding: 'application/json', body: JSON.stringify(body) }
}

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
