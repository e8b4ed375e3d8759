/**
 * Session JWTs, shaped exactly like the official PDS's so `@atproto/api` and other clients work unchanged:
 * HS256 with the PDS's secret; access tokens have header typ 'at+jwt' and claims {scope, aud: PDS DID,
 * sub: account DID, iat, exp}; refresh tokens have typ 'refresh+jwt', scope 'com.atproto.refresh' and a
 * `jti` naming their row in refresh_token.
 *
 * Verification errors follow the official PDS: expired → 400 ExpiredToken, anything else wrong with the
 * token → 400 InvalidToken (both access and refresh tokens; clients refresh on either 401 or ExpiredToken).
 * Does NOT check that the account exists or that a refresh token is still stored (see verifier.ts).
 */
import { randomBytes } from 'node:crypto'
import { InvalidRequestError } from '@stratus/core/xrpc'
import { type JWTVerifyResult, SignJWT, errors as joseErrors, jwtVerify } from 'jose'
import { AuthScope, isAuthScope } from './scopes.ts'

export interface TokenKeys {
  secret: Uint8Array
  /** The PDS DID: `aud` of every token it issues. */
  serviceDid: string
}

export type TokenType = 'at+jwt' | 'refresh+jwt'

export interface VerifiedToken {
  sub: string
  aud: string
  scope: AuthScope
  jti?: string
  /** Expiry, seconds since the epoch. */
  exp: number
}

/** A refresh-token id: 32 random bytes, base64 (as the official PDS; it only needs to be unguessable). */
export function newRefreshTokenId(): string {
  return randomBytes(32).toString('base64')
}

export function createAccessToken(
  keys: TokenKeys,
  did: string,
  ttlMs: number,
  scope: AuthScope = AuthScope.Access,
): Promise<string> {
  return sign(keys, { scope }, 'at+jwt', did, ttlMs)
}

export function createRefreshToken(keys: TokenKeys, did: string, jti: string, ttlMs: number): Promise<string> {
  return sign(keys, { scope: AuthScope.Refresh, jti }, 'refresh+jwt', did, ttlMs)
}

function sign(
  keys: TokenKeys,
  claims: Record<string, string>,
  typ: TokenType,
  did: string,
  ttlMs: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ typ, alg: 'HS256' })
    .setAudience(keys.serviceDid)
    .setSubject(did)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.max(1, Math.round(ttlMs / 1000)))
    .sign(keys.secret)
}

export interface VerifyTokenOptions {
  typ: TokenType
  scopes: readonly AuthScope[]
  /** deleteSession accepts an expired refresh token (it only revokes it). */
  allowExpired?: boolean
}

/**
 * Tokens that verified, by type and token string, until they expire: a client sends the same access token
 * with every request, and a map lookup is ~100x cheaper than verifying the HMAC again. Bounded (oldest
 * dropped first); only successful, unexpired verifications are remembered.
 */
const verifiedCache = new WeakMap<TokenKeys, Map<string, VerifiedToken>>()
const CACHE_MAX = 10_000

/** Checks signature, audience, type, expiry and scope; throws the official XRPC errors. */
export async function verifyToken(keys: TokenKeys, token: string, opts: VerifyTokenOptions): Promise<VerifiedToken> {
  let cache = verifiedCache.get(keys)
  if (!cache) verifiedCache.set(keys, (cache = new Map()))
  const cacheKey = `${opts.typ} ${token}`
  const hit = cache.get(cacheKey)
  if (hit && hit.exp * 1000 > Date.now()) return checkScope(hit, opts)
  if (hit) cache.delete(cacheKey)
  const verified = checkScope(await verifyUncached(keys, token, opts), opts)
  if (verified.exp * 1000 > Date.now()) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
    cache.set(cacheKey, verified)
  }
  return verified
}

function checkScope(token: VerifiedToken, opts: VerifyTokenOptions): VerifiedToken {
  if (!opts.scopes.includes(token.scope)) throw new InvalidRequestError('Bad token scope', 'InvalidToken')
  return token
}

async function verifyUncached(keys: TokenKeys, token: string, opts: VerifyTokenOptions): Promise<VerifiedToken> {
  let result: JWTVerifyResult
  try {
    result = await jwtVerify(token, keys.secret, {
      algorithms: ['HS256'],
      audience: keys.serviceDid,
      clockTolerance: opts.allowExpired ? Number.MAX_SAFE_INTEGER : 0,
    })
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired)
      throw new InvalidRequestError('Token has expired', 'ExpiredToken', { cause: err })
    throw new InvalidRequestError('Token could not be verified', 'InvalidToken', { cause: err })
  }
  const { payload, protectedHeader } = result
  // Tokens from some older issuers have no typ; a present one must match (an access token is no refresh token).
  if (protectedHeader.typ !== undefined && protectedHeader.typ !== opts.typ) {
    throw new InvalidRequestError('Invalid token type', 'InvalidToken')
  }
  const { sub, aud, scope, jti, exp } = payload
  // Service-auth (lxm) and proof-of-possession (cnf) tokens never belong here.
  if (payload.lxm !== undefined || payload.cnf !== undefined)
    throw new InvalidRequestError('Malformed token', 'InvalidToken')
  if (typeof sub !== 'string' || !sub.startsWith('did:'))
    throw new InvalidRequestError('Malformed token', 'InvalidToken')
  if (typeof aud !== 'string' || typeof exp !== 'number')
    throw new InvalidRequestError('Malformed token', 'InvalidToken')
  if (jti !== undefined && typeof jti !== 'string') throw new InvalidRequestError('Malformed token', 'InvalidToken')
  if (!isAuthScope(scope)) throw new InvalidRequestError('Bad token scope', 'InvalidToken')
  return { sub, aud, scope, jti, exp }
}
