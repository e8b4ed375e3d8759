/**
 * Host limits that scale by themselves. A new host may bring `initialAccounts` accounts; the limit doubles
 * every `doublingDays` of the host's age and grows by one account per `eventsPerAccount` accepted events,
 * as long as the host behaves: past 1% hostile rejections growth halves, past 10% it stops (the limit
 * falls back to the initial one). Seed (trusted) hosts get the maximum; an operator override wins over
 * everything. The limit only gates *new* accounts — accounts already known are never dropped for it.
 *
 * The event rate a host may send grows with its account limit. Rate limiting is enforced by pausing the
 * host's socket (backpressure), never by dropping events. TokenBucket is the small refill-per-second
 * bucket used for host and per-account rates.
 */

export interface HostLimitConfig {
  initialAccounts: number
  doublingDays: number
  eventsPerAccount: number
  maxAccounts: number
  baseEventsPerSecond: number
  eventsPerSecondPerAccount: number
  maxEventsPerSecond: number
}

export const DEFAULT_HOST_LIMITS: HostLimitConfig = {
  initialAccounts: 100,
  doublingDays: 7,
  eventsPerAccount: 100,
  maxAccounts: 1_000_000,
  baseEventsPerSecond: 50,
  eventsPerSecondPerAccount: 0.5,
  maxEventsPerSecond: 20_000,
}

export interface HostStanding {
  trusted: boolean
  accountLimit: number | null
  rateLimit: number | null
  createdAtMs: number
  accepted: number
  rejected: number
}

const DAY = 24 * 60 * 60 * 1000

/** How much of the host's age and activity counts, from its share of hostile rejections. */
export function goodBehaviour(h: Pick<HostStanding, 'accepted' | 'rejected'>): number {
  const total = h.accepted + h.rejected
  if (total < 100) return 1
  const bad = h.rejected / total
  return bad < 0.01 ? 1 : bad < 0.1 ? 0.5 : 0
}

export function hostAccountLimit(h: HostStanding, cfg: HostLimitConfig, nowMs: number): number {
  if (h.accountLimit !== null) return h.accountLimit
  if (h.trusted) return cfg.maxAccounts
  const good = goodBehaviour(h)
  const ageDays = Math.max(0, (nowMs - h.createdAtMs) / DAY)
  const doublings = Math.min(40, (ageDays * good) / cfg.doublingDays)
  const grown = cfg.initialAccounts * 2 ** doublings + Math.floor((h.accepted * good) / cfg.eventsPerAccount)
  return Math.min(cfg.maxAccounts, Math.floor(grown))
}

export function hostEventRate(h: HostStanding, cfg: HostLimitConfig, accountLimit: number): number {
  if (h.rateLimit !== null) return h.rateLimit
  if (h.trusted) return cfg.maxEventsPerSecond
  const rate = cfg.baseEventsPerSecond + accountLimit * cfg.eventsPerSecondPerAccount
  return Math.min(cfg.maxEventsPerSecond, Math.max(cfg.baseEventsPerSecond, rate))
}

export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    public rate: number,
    public burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst
    this.last = now()
  }

  private refill(): void {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate)
    this.last = t
  }

  /** Takes n tokens if available. */
  take(n = 1): boolean {
    this.refill()
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /** Takes n tokens, going into debt if needed; returns how long until the debt is paid (0 if none). */
  spend(n = 1): number {
    this.refill()
    this.tokens -= n
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000)
  }
}

/** Per-key token buckets with a bounded number of keys (oldest forgotten first, which only ever forgives). */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>()

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxKeys = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): boolean {
    if (this.rate <= 0) return true
    let b = this.buckets.get(key)
    if (!b) {
      b = new TokenBucket(this.rate, this.burst, this.now)
      this.buckets.set(key, b)
      if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
    }
    return b.take()
  }
}
