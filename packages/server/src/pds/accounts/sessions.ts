/**
 * Sessions: an access JWT plus a refresh JWT whose `jti` is a row in refresh_token. Refreshing rotates:
 * the used token's expiry is cut to a short grace window and it records the id of its successor, so a
 * client that retries a refresh (lost response, two tabs) inside the window gets the same successor id
 * back; after the window the old token is refused with ExpiredToken. deleteSession revokes the row.
 *
 * Token rows are written synchronously so they can join a larger transaction (account creation).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import { createAccessToken, createRefreshToken, newRefreshTokenId, type TokenKeys } from '../auth/tokens.ts'
import { AuthScope } from '../auth/scopes.ts'
import type { PdsDatabase } from '../db/index.ts'
import type { RefreshTokenRow } from '../db/schema.ts'
import { sessionScope } from './app-passwords.ts'

export interface SessionTokens {
  accessJwt: string
  refreshJwt: string
}

export interface SessionSettings {
  keys: TokenKeys
  accessTokenTtlMs: number
  refreshTokenTtlMs: number
  refreshGraceMs: number
}

/** A pair of tokens for `did` and the refresh-token row to store (not stored yet). */
export async function issueTokens(
  s: SessionSettings,
  did: string,
  opts: { jti?: string; scope?: AuthScope; appPasswordName?: string | null } = {},
): Promise<{ tokens: SessionTokens; row: RefreshTokenRow }> {
  const jti = opts.jti ?? newRefreshTokenId()
  const [accessJwt, refreshJwt] = await Promise.all([
    createAccessToken(s.keys, did, s.accessTokenTtlMs, opts.scope ?? AuthScope.Access),
    createRefreshToken(s.keys, did, jti, s.refreshTokenTtlMs),
  ])
  // The row expires when the JWT does (rounded to the JWT's whole seconds).
  const exp = new Date((Math.floor(Date.now() / 1000) + Math.round(s.refreshTokenTtlMs / 1000)) * 1000)
  const row = {
    id: jti,
    did,
    expires_at: exp.toISOString(),
    next_id: null,
    app_password_name: opts.appPasswordName ?? null,
  }
  return { tokens: { accessJwt, refreshJwt }, row }
}

export function storeRefreshToken(db: PdsDatabase, row: RefreshTokenRow): void {
  db.stmt(
    `INSERT INTO refresh_token (id, did, expires_at, next_id, app_password_name) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  ).run(row.id, row.did, row.expires_at, row.next_id, row.app_password_name)
}

/** A new session for `did`, stored. */
export async function createSession(db: PdsDatabase, s: SessionSettings, did: string): Promise<SessionTokens> {
  const { tokens, row } = await issueTokens(s, did)
  storeRefreshToken(db, row)
  return tokens
}

export function getRefreshToken(db: PdsDatabase, id: string): RefreshTokenRow | undefined {
  return db.stmt('SELECT * FROM refresh_token WHERE id = ?').get(id) as RefreshTokenRow | undefined
}

/**
 * Revokes a refresh token and the tokens it replaced that are still in their grace window (otherwise an
 * old token could mint this one again); true if anything was deleted.
 */
export function revokeRefreshToken(db: PdsDatabase, id: string): boolean {
  const sql = `WITH RECURSIVE chain (id) AS (
      SELECT ? UNION SELECT r.id FROM refresh_token r JOIN chain c ON r.next_id = c.id
    ) DELETE FROM refresh_token WHERE id IN (SELECT id FROM chain)`
  return db.stmt(sql).run(id).changes > 0
}

export function revokeAllRefreshTokens(db: PdsDatabase, did: string): number {
  return db.stmt('DELETE FROM refresh_token WHERE did = ?').run(did).changes
}

/**
 * Rotates refresh token `id`: returns new tokens, or throws 400 ExpiredToken when the token was revoked
 * or its grace window is over. The JWTs are signed before the transaction; the transaction re-reads the
 * row so that two concurrent refreshes of one token agree on a single successor.
 */
export async function rotateRefreshToken(db: PdsDatabase, s: SessionSettings, id: string): Promise<SessionTokens> {
  const now = Date.now()
  const token = getRefreshToken(db, id)
  if (!token || Date.parse(token.expires_at) <= now) {
    if (token) revokeRefreshToken(db, id)
    throw new InvalidRequestError('Token has been revoked', 'ExpiredToken')
  }
  const nextId = token.next_id ?? newRefreshTokenId()
  // An app-password session keeps its (restricted) scope across refreshes.
  const scope = sessionScope(db, token.did, token.app_password_name)
  const { tokens, row } = await issueTokens(s, token.did, {
    jti: nextId,
    scope,
    appPasswordName: token.app_password_name,
  })
  const graceEnd = new Date(Math.min(now + s.refreshGraceMs, Date.parse(token.expires_at))).toISOString()
  const outcome = db.transact(() => {
    const current = getRefreshToken(db, id)
    if (!current || Date.parse(current.expires_at) <= Date.now()) return 'gone' as const
    if (current.next_id !== null && current.next_id !== nextId) return 'raced' as const
    db.stmt('UPDATE refresh_token SET expires_at = min(expires_at, ?), next_id = ? WHERE id = ?').run(
      graceEnd,
      nextId,
      id,
    )
    storeRefreshToken(db, row)
    // Tidy this account's long-expired tokens while we are here.
    db.stmt('DELETE FROM refresh_token WHERE did = ? AND expires_at <= ?').run(token.did, new Date(now).toISOString())
    return 'ok' as const
  })
  if (outcome === 'gone') throw new InvalidRequestError('Token has been revoked', 'ExpiredToken')
  if (outcome === 'raced') return rotateRefreshToken(db, s, id)
  return tokens
}
