/**
 * Auth verifiers for the XRPC router's `auth` route option: session access tokens (Bearer), refresh tokens
 * (Bearer, refreshSession/deleteSession only) and the admin password (HTTP Basic, user 'admin'). Each
 * returns the credentials handlers receive as `ctx.auth`, or throws the official PDS's XRPC errors:
 * no credentials → 401 AuthMissing; a malformed Authorization header or bad token → 400 InvalidToken;
 * expired → 400 ExpiredToken; wrong admin password → 401 AuthenticationRequired.
 *
 * Not handled here (part 2): OAuth/DPoP tokens, service-auth JWTs, app-password scope restrictions
 * beyond the scope list a route accepts.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { AuthRequiredError, ForbiddenError, InvalidRequestError } from '@stratus/core/xrpc'
import type { AuthContext, AuthVerifier } from '../../http/index.ts'
import { type StatusFields, accountStatus } from '../accounts/store.ts'
import type { PdsDatabase } from '../db/index.ts'
import { ACCESS_STANDARD, AuthScope } from './scopes.ts'
import { type TokenKeys, verifyToken } from './tokens.ts'

export interface AccessCredentials {
  type: 'access'
  did: string
  scope: AuthScope
}
export interface RefreshCredentials {
  type: 'refresh'
  did: string
  /** The refresh token's `jti`. */
  tokenId: string
}
export interface AdminCredentials {
  type: 'admin'
}

export interface AccessOptions {
  /** Scopes accepted (default: full access and app passwords). */
  scopes?: readonly AuthScope[]
  /** Refuse taken-down accounts (401 AccountTakedown). Use for anything that reads or writes the repo. */
  checkTakedown?: boolean
  /** Refuse deactivated accounts (401 AccountDeactivated). Use for writes. */
  checkDeactivated?: boolean
}

export interface AuthVerifiers {
  access(opts?: AccessOptions): AuthVerifier<AccessCredentials>
  refresh(opts?: { allowExpired?: boolean }): AuthVerifier<RefreshCredentials>
  admin(): AuthVerifier<AdminCredentials>
  /** Access token or admin password. */
  accessOrAdmin(opts?: AccessOptions): AuthVerifier<AccessCredentials | AdminCredentials>
  /** Like accessOrAdmin, but a request without credentials passes as `undefined`. */
  optional(opts?: AccessOptions): AuthVerifier<AccessCredentials | AdminCredentials | undefined>
}

type Parsed = { type: 'bearer' | 'basic'; value: string } | null

/** The Authorization header's scheme and value; null without one; 400 InvalidToken when malformed. */
export function parseAuthorization(req: Request): Parsed {
  const header = req.headers.get('authorization')
  if (header === null) return null
  const parts = header.split(' ')
  if (parts.length !== 2 || parts[1] === '')
    throw new InvalidRequestError('Malformed authorization header', 'InvalidToken')
  const scheme = parts[0].toLowerCase()
  if (scheme === 'bearer') return { type: 'bearer', value: parts[1] }
  if (scheme === 'basic') return { type: 'basic', value: parts[1] }
  throw new InvalidRequestError(`Unsupported authorization type: ${parts[0].slice(0, 20)}`, 'InvalidToken')
}

export function createAuthVerifiers(deps: {
  db: PdsDatabase
  tokenKeys: TokenKeys
  adminPassword?: string
}): AuthVerifiers {
  const bearer = (req: Request): string => {
    const auth = parseAuthorization(req)
    if (auth === null) throw new AuthRequiredError(undefined, 'AuthMissing')
    if (auth.type !== 'bearer') throw new InvalidRequestError('Unexpected authorization type', 'InvalidToken')
    return auth.value
  }

  const access =
    (opts: AccessOptions = {}) =>
    async ({ req }: AuthContext): Promise<AccessCredentials> => {
      const { sub, scope } = await verifyToken(deps.tokenKeys, bearer(req), {
        typ: 'at+jwt',
        scopes: opts.scopes ?? ACCESS_STANDARD,
      })
      if (opts.checkTakedown || opts.checkDeactivated) checkStatus(deps.db, sub, opts)
      return { type: 'access', did: sub, scope }
    }

  const refresh =
    (opts: { allowExpired?: boolean } = {}) =>
    async ({ req }: AuthContext): Promise<RefreshCredentials> => {
      const token = await verifyToken(deps.tokenKeys, bearer(req), {
        typ: 'refresh+jwt',
        scopes: [AuthScope.Refresh],
        allowExpired: opts.allowExpired,
      })
      if (!token.jti) throw new AuthRequiredError('Unexpected missing refresh token id', 'MissingTokenId')
      return { type: 'refresh', did: token.sub, tokenId: token.jti }
    }

  const admin =
    () =>
    ({ req }: AuthContext): AdminCredentials => {
      const auth = parseAuthorization(req)
      if (auth === null) throw new AuthRequiredError(undefined, 'AuthMissing')
      if (auth.type !== 'basic' || !checkAdmin(auth.value, deps.adminPassword)) throw new AuthRequiredError()
      return { type: 'admin' }
    }

  const accessOrAdmin = (opts: AccessOptions = {}) => {
    const a = access(opts)
    const b = admin()
    return (ctx: AuthContext) => (parseAuthorization(ctx.req)?.type === 'basic' ? b(ctx) : a(ctx))
  }

  const optional = (opts: AccessOptions = {}) => {
    const either = accessOrAdmin(opts)
    return (ctx: AuthContext) => (parseAuthorization(ctx.req) === null ? undefined : either(ctx))
  }

  return { access, refresh, admin, accessOrAdmin, optional }
}

/** Only the status columns: this runs on every authenticated call (SELECT * costs half again as much). */
const STATUS = 'SELECT takedown_ref, deactivated_at, status FROM account WHERE did = ?'

function checkStatus(db: PdsDatabase, did: string, opts: AccessOptions): void {
  const account = db.stmt(STATUS).get(did) as StatusFields | undefined
  if (!account) throw new ForbiddenError('Account not found', 'AccountNotFound')
  const { status } = accountStatus(account)
  // Suspended is a temporary takedown; desynchronized and throttled accounts are inactive like deactivated ones.
  if (opts.checkTakedown && (status === 'takendown' || status === 'suspended'))
    throw new AuthRequiredError(`Account has been ${status === 'takendown' ? 'taken down' : status}`, 'AccountTakedown')
  if (opts.checkDeactivated && status !== undefined && status !== 'takendown' && status !== 'suspended')
    throw new AuthRequiredError(`Account is ${status}`, 'AccountDeactivated')
}

/** Constant-time check of `admin:<password>` (base64); always false when no admin password is configured. */
function checkAdmin(b64: string, password: string | undefined): boolean {
  if (password === undefined || password === '') return false
  const given = Buffer.from(b64, 'base64').toString('utf8')
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(given), digest(`admin:${password}`))
}
