/**
 * In-memory fixed-window rate limiter: each key may spend `limit` points per `windowMs`. Suited to one
 * process (the state is not shared between processes or machines). Memory is bounded: expired windows are
 * swept at most once per window, and past `maxKeys` the oldest keys are evicted (which can only make the
 * limiter more lenient for them, never block anyone wrongly).
 */
export interface RateLimiterOptions {
  limit: number
  windowMs: number
  /** Shown in errors and the RateLimit-Policy header. */
  name?: string
  /** Default 100 000. */
  maxKeys?: number
  /** Clock, for tests. */
  now?: () => number
}

export interface RateLimitResult {
  allowed: boolean
  limit: number
  remaining: number
  /** Epoch milliseconds at which the current window ends. */
  resetAt: number
  windowMs: number
}

interface Window {
  start: number
  used: number
}

export class RateLimiter {
  readonly limit: number
  readonly windowMs: number
  readonly name: string
  readonly #maxKeys: number
  readonly #now: () => number
  readonly #windows = new Map<string, Window>()
  #lastSweep = 0

  constructor(opts: RateLimiterOptions) {
    if (!(opts.limit > 0) || !(opts.windowMs > 0)) throw new RangeError('rate limit needs limit > 0 and windowMs > 0')
    this.limit = opts.limit
    this.windowMs = opts.windowMs
    this.name = opts.name ?? 'default'
    this.#maxKeys = opts.maxKeys ?? 100_000
    this.#now = opts.now ?? Date.now
  }

  /** Spends `cost` points for `key` if they are available; a refused call spends nothing. */
  consume(key: string, cost = 1): RateLimitResult {
    const now = this.#now()
    this.#sweep(now)
    let w = this.#windows.get(key)
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, used: 0 }
      this.#windows.delete(key)
      this.#windows.set(key, w)
      this.#evict()
    }
    const allowed = w.used + cost <= this.limit
    if (allowed) w.used += cost
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - w.used),
      resetAt: w.start + this.windowMs,
      windowMs: this.windowMs,
    }
  }

  /** Forgets a key (e.g. after a successful login). */
  reset(key: string): void {
    this.#windows.delete(key)
  }

  get size(): number {
    return this.#windows.size
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < this.windowMs) return
    this.#lastSweep = now
    for (const [k, w] of this.#windows) if (now - w.start >= this.windowMs) this.#windows.delete(k)
  }

  #evict(): void {
    while (this.#windows.size > this.#maxKeys) {
      this.#windows.delete(this.#windows.keys().next().value as string)
    }
  }
}

/** The RateLimit-* response headers for a result (seconds, as the official PDS sends them). */
export function rateLimitHeaders(r: RateLimitResult, nowMs = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(r.limit),
    'ratelimit-remaining': String(r.remaining),
    'ratelimit-reset': String(Math.ceil(r.resetAt / 1000)),
    'ratelimit-policy': `${r.limit};w=${Math.round(r.windowMs / 1000)}`,
  }
  if (!r.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil((r.resetAt - nowMs) / 1000)))
  return headers
}
