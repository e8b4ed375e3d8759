/**
 * The PDS's rate limits, on the http layer's RateLimiter (in-memory, per process). Values follow the
 * official PDS where it has one. Route-level limits (keyed by IP or by the authenticated DID) go in a
 * route's `rateLimit` option; limits keyed by something in the request body (the login identifier) are
 * checked in the handler with {@link enforce}. With `rateLimits: false` in the config every limiter is
 * absent and nothing is limited (benchmarks; the official PDS also ships with limits off by default).
 *
 * Repo writes cost points per operation (create 3, update 2, delete 1, as the official PDS): call
 * `enforceWritePoints(ctx.limits, did, points)` from write handlers.
 */
import { RateLimitExceededError } from '@stratus/core/xrpc'
import { RateLimiter, type RouteRateLimit, clientAddress, rateLimitHeaders } from '../http/index.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export interface LimitSpec {
  limit: number
  windowMs: number
}

/** Every limit the PDS applies, by name. */
export const DEFAULT_LIMITS = {
  /** createSession attempts from one IP. */
  loginPerIp: { limit: 100, windowMs: 5 * MINUTE },
  /** createSession attempts naming one account (handle/email/DID), from anywhere. */
  loginPerAccount: { limit: 30, windowMs: 5 * MINUTE },
  loginPerAccountDaily: { limit: 300, windowMs: DAY },
  /** createAccount calls from one IP. */
  createAccountPerIp: { limit: 100, windowMs: 5 * MINUTE },
  /** Repo write points per account (create 3, update 2, delete 1). */
  writePointsHourly: { limit: 5000, windowMs: HOUR },
  writePointsDaily: { limit: 35000, windowMs: DAY },
  /** Repo write calls from one IP (any account). */
  writesPerIp: { limit: 3000, windowMs: 5 * MINUTE },
  /** updateHandle per account: each one is a PLC operation and an #identity event for the whole network. */
  handleUpdates: { limit: 10, windowMs: 5 * MINUTE },
  handleUpdatesDaily: { limit: 50, windowMs: DAY },
  /** Mails with a token (email confirmation/update, PLC operation, account deletion) per account. */
  emailTokens: { limit: 15, windowMs: HOUR },
  emailTokensDaily: { limit: 50, windowMs: DAY },
} satisfies Record<string, LimitSpec>

export type LimitName = keyof typeof DEFAULT_LIMITS
export type PdsLimiters = { [K in LimitName]?: RateLimiter }

/** Builds the limiters (none when disabled); `overrides` replaces individual specs (tests). */
export function createLimiters(enabled: boolean, overrides: Partial<Record<LimitName, LimitSpec>> = {}): PdsLimiters {
  if (!enabled) return {}
  const out: PdsLimiters = {}
  for (const name of Object.keys(DEFAULT_LIMITS) as LimitName[]) {
    const spec = overrides[name] ?? DEFAULT_LIMITS[name]
    out[name] = new RateLimiter({ ...spec, name })
  }
  return out
}

/** Spends `cost` points of `key` on `limiter` (if configured); 429 RateLimitExceeded with RateLimit-* headers otherwise. */
export function enforce(limiter: RateLimiter | undefined, key: string, cost = 1): void {
  if (!limiter) return
  const r = limiter.consume(key, cost)
  if (!r.allowed) throw new RateLimitExceededError('Rate Limit Exceeded', undefined, { headers: rateLimitHeaders(r) })
}

/** Repo write points for `did` against the hourly and daily budgets. */
export function enforceWritePoints(limits: PdsLimiters, did: string, points: number): void {
  enforce(limits.writePointsHourly, did, points)
  enforce(limits.writePointsDaily, did, points)
}

/** Route limits keyed by the authenticated account (the route's auth must yield `{ did }`); absent ones skipped. */
export function perAccount(limits: PdsLimiters, ...names: LimitName[]): RouteRateLimit<{ did: string }>[] {
  const out: RouteRateLimit<{ did: string }>[] = []
  for (const name of names) {
    const limiter = limits[name]
    if (limiter) out.push({ limiter, key: ({ auth }) => auth.did })
  }
  return out
}

/** The client's IP as the http layer saw it ('unknown' when not served through serveFetch). */
export function ipOf(req: Request): string {
  return clientAddress(req) ?? 'unknown'
}
