/**
 * Service-auth JWTs: the short-lived tokens one atproto service presents to another on behalf of an account
 * (a PDS calling an AppView or a feed generator). Compact JWS `header.payload.signature`, all base64url:
 * header `{typ: 'JWT', alg: 'ES256K' | 'ES256'}`, payload `{iat, iss, aud, exp, lxm?, jti}`, signature = the
 * issuer's atproto signing key over the ASCII `header.payload` (sha-256, 64-byte compact r||s).
 *
 * `verifyServiceJwt` checks, in this order: three parts; header is JSON with a supported alg and not an
 * OAuth/refresh/DPoP `typ`; payload is JSON with numeric exp and a DID (optionally `#service`) as iss; not
 * expired; `aud` (unless null is passed); `lxm` (unless null is passed); then the signature against the
 * key `getSigningKey(iss)` returns, asking once more with `forceRefresh` when it fails (key rotation).
 * High-S signatures are accepted, as the official verifier does for JWTs. Errors are AuthRequiredError
 * (401) with the official names: BadJwt, BadJwtType, JwtExpired, BadJwtAudience, BadJwtLexiconMethod,
 * BadJwtIss, BadJwtSignature.
 *
 * Not checked: `iat` (clock skew is the issuer's business), `jti` replay (needs shared state), whether the
 * issuer is allowed to call this method (the service decides).
 */
import { fromBase64Url, toBase64Url, toHex, utf8Decode, utf8Encode } from '../bytes/index.ts'
import { type Keypair, parseDidKey, randomBytes, verifySignature } from '../crypto/index.ts'
import { isValidDid } from '../syntax/index.ts'
import { AuthRequiredError, XRPCError } from './errors.ts'

export interface ServiceJwtPayload {
  iss: string
  aud: string
  exp: number
  iat?: number
  lxm?: string
  jti?: string
}

export interface CreateServiceJwtOptions {
  /** Issuer DID (the account), optionally with a `#service` fragment. */
  iss: string
  /** The receiving service's DID (optionally `#service`). */
  aud: string
  /** The XRPC method the token is good for; omit (or null) for an unbound token. */
  lxm?: string | null
  keypair: Keypair
  /** Issued-at, seconds since the epoch; default now. */
  iat?: number
  /** Expiry, seconds since the epoch; default iat + 60. */
  exp?: number
}

const FORBIDDEN_TYPES = new Set(['at+jwt', 'refresh+jwt', 'dpop+jwt'])
const ALGS = new Set(['ES256K', 'ES256'])
/** Generous bound on a token: real ones are ~500 bytes. */
const MAX_JWT_LENGTH = 8192

const b64Json = (v: unknown): string => toBase64Url(utf8Encode(JSON.stringify(v)))

/** Signs a service-auth JWT with the issuer's key (synchronous: our key pairs sign synchronously). */
export function createServiceJwt(opts: CreateServiceJwtOptions): string {
  const iat = opts.iat ?? Math.floor(Date.now() / 1000)
  const payload: ServiceJwtPayload = { iat, iss: opts.iss, aud: opts.aud, exp: opts.exp ?? iat + 60 }
  if (opts.lxm) payload.lxm = opts.lxm
  payload.jti = toHex(randomBytes(16))
  const signed = `${b64Json({ typ: 'JWT', alg: opts.keypair.jwtAlg })}.${b64Json(payload)}`
  return `${signed}.${toBase64Url(opts.keypair.sign(utf8Encode(signed)))}`
}

/** `{ authorization: 'Bearer <jwt>' }` for an XrpcClient call. */
export function serviceAuthHeaders(opts: CreateServiceJwtOptions): { authorization: string } {
  return { authorization: `Bearer ${createServiceJwt(opts)}` }
}

export interface VerifyServiceJwtOptions {
  /** This service's DID; null skips the audience check (e.g. a token to forward to a feed generator). */
  aud: string | null
  /** The method being called; null skips the check. */
  lxm: string | null
  /** The issuer's did:key signing key; `forceRefresh` after a failed check (key rotation). */
  getSigningKey: (iss: string, forceRefresh: boolean) => Promise<string>
  /** Clock, ms. */
  now?: () => number
}

/** The token from an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return m?.[1]
}

export async function verifyServiceJwt(jwt: string, opts: VerifyServiceJwtOptions): Promise<ServiceJwtPayload> {
  if (typeof jwt !== 'string' || jwt.length > MAX_JWT_LENGTH)
    throw new AuthRequiredError('poorly formatted jwt', 'BadJwt')
  const parts = jwt.split('.')
  if (parts.length !== 3) throw new AuthRequiredError('poorly formatted jwt', 'BadJwt')
  const header = parsePart(parts[0])
  if (typeof header.typ === 'string' && FORBIDDEN_TYPES.has(header.typ)) {
    throw new AuthRequiredError(`invalid jwt type "${header.typ}"`, 'BadJwtType')
  }
  if (typeof header.alg !== 'string' || !ALGS.has(header.alg)) {
    throw new AuthRequiredError('unsupported jwt algorithm', 'BadJwt')
  }
  const payload = parsePayload(parsePart(parts[1]))
  const now = (opts.now ?? Date.now)() / 1000
  if (now > payload.exp) throw new AuthRequiredError('jwt expired', 'JwtExpired')
  if (opts.aud !== null && payload.aud !== opts.aud) {
    throw new AuthRequiredError('jwt audience does not match service did', 'BadJwtAudience')
  }
  if (opts.lxm !== null && payload.lxm !== opts.lxm) {
    const msg = payload.lxm === undefined ? 'missing jwt lexicon method ("lxm")' : 'bad jwt lexicon method ("lxm")'
    throw new AuthRequiredError(`${msg}, must match: ${opts.lxm}`, 'BadJwtLexiconMethod')
  }
  const msg = utf8Encode(`${parts[0]}.${parts[1]}`)
  let sig: Uint8Array
  try {
    sig = fromBase64Url(parts[2])
  } catch {
    throw new AuthRequiredError('could not verify jwt signature', 'BadJwtSignature')
  }
  const alg = header.alg
  const check = (key: string) => keyMatchesAlg(key, alg) && verifySignature(key, msg, sig, { allowMalleableSig: true })
  const key = await signingKey(opts, payload.iss, false)
  if (!check(key)) {
    const fresh = await signingKey(opts, payload.iss, true)
    if (fresh === key || !check(fresh)) {
      throw new AuthRequiredError('jwt signature does not match jwt issuer', 'BadJwtSignature')
    }
  }
  return payload
}

async function signingKey(opts: VerifyServiceJwtOptions, iss: string, forceRefresh: boolean): Promise<string> {
  try {
    return await opts.getSigningKey(iss, forceRefresh)
  } catch (err) {
    if (err instanceof XRPCError) throw err
    throw new AuthRequiredError(
      `could not resolve the jwt issuer's signing key: ${(err as Error).message}`,
      'BadJwtIss',
    )
  }
}

/** The header's alg must name the key's curve (a token cannot pick the curve it is checked with). */
function keyMatchesAlg(didKey: string, alg: string): boolean {
  try {
    return parseDidKey(didKey).jwtAlg === alg
  } catch {
    return false
  }
}

function parsePart(part: string): Record<string, unknown> {
  try {
    const v = JSON.parse(utf8Decode(fromBase64Url(part)))
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
    return v as Record<string, unknown>
  } catch {
    throw new AuthRequiredError('poorly formatted jwt', 'BadJwt')
  }
}

function parsePayload(p: Record<string, unknown>): ServiceJwtPayload {
  if (typeof p.exp !== 'number' || !Number.isFinite(p.exp)) throw new AuthRequiredError('jwt has no exp', 'BadJwt')
  if (typeof p.aud !== 'string') throw new AuthRequiredError('jwt has no aud', 'BadJwt')
  if (p.lxm !== undefined && typeof p.lxm !== 'string') throw new AuthRequiredError('jwt lxm is not a string', 'BadJwt')
  if (typeof p.iss !== 'string' || !isValidDid(p.iss.split('#')[0]) || p.iss.split('#').length > 2) {
    throw new AuthRequiredError('jwt iss is not a valid did', 'BadJwtIss')
  }
  const out: ServiceJwtPayload = { iss: p.iss, aud: p.aud, exp: p.exp }
  if (typeof p.iat === 'number') out.iat = p.iat
  if (typeof p.lxm === 'string') out.lxm = p.lxm
  if (typeof p.jti === 'string') out.jti = p.jti
  return out
}
