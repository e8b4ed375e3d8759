/**
 * Shared pieces of the com.atproto.repo.* handlers: the write auth (access token of an active, not
 * taken-down account), who may write which repo (only the account itself: 403 otherwise), CID parameters,
 * and the output shapes.
 */
import { CID } from '@stratus/core/data'
import { ForbiddenError, InternalServerError, InvalidRequestError } from '@stratus/core/xrpc'
import type { RouteRateLimit } from '../../http/index.ts'
import { getAccount } from '../accounts/store.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import type { PdsRepo } from './service.ts'

/** Auth verifier for repo writes. */
export function writeAuth(ctx: PdsContext) {
  return ctx.auth.access({ checkTakedown: true, checkDeactivated: true })
}

/** The per-IP write limit as a route option (absent when rate limits are off). */
export function writeRateLimit(ctx: PdsContext): RouteRateLimit<unknown> | undefined {
  return ctx.limits.writesPerIp ? { limiter: ctx.limits.writesPerIp } : undefined
}

/** The DID of `repo` (a DID or handle), which must be the authenticated account. */
export function writerDid(ctx: PdsContext, auth: AccessCredentials, repo: string): string {
  if (repo === auth.did) return repo
  const account = getAccount(ctx.db, repo)
  if (!account) throw new InvalidRequestError(`Could not find repo: ${repo}`)
  if (account.did !== auth.did) throw new ForbiddenError(`Cannot write to the repository of another account (${repo})`)
  return account.did
}

/** A CID-format parameter (already format-checked by the lexicon) as a CID; undefined stays undefined. */
export function parseCidParam(value: unknown, name: string): CID | undefined {
  if (value === undefined) return undefined
  try {
    return CID.parse(String(value))
  } catch {
    throw new InvalidRequestError(`${name} is not a valid CID`)
  }
}

export function commitMeta(commit: { cid: CID; rev: string }): { cid: string; rev: string } {
  return { cid: commit.cid.toString(), rev: commit.rev }
}

/** `f(value)` for a value or a promise of one (repo.write answers synchronously when it ran at once). */
export function andThen<T, U>(value: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value)
}

export function repoOf(ctx: PdsContext): PdsRepo {
  if (!ctx.repo) throw new InternalServerError('repository storage is not installed')
  return ctx.repo
}
