/**
 * One upstream host as the relay tracks it: the persisted row (status, cursor, counters, operator
 * overrides) plus its live limits. `status` follows com.atproto.sync.defs#hostStatus: active, idle (stopped,
 * e.g. after FutureCursor), offline (unreachable for a while), throttled (rate-limited right now), banned.
 */
import type { HostRow } from '../db/store.ts'
import { type HostLimitConfig, TokenBucket, hostAccountLimit, hostEventRate } from './limits.ts'

export type HostStatus = 'active' | 'idle' | 'offline' | 'throttled' | 'banned'

export class Host {
  id: number
  hostname: string
  status: HostStatus
  /** Last upstream seq fully processed (accepted or dropped). */
  cursor: number | null
  trusted: boolean
  accountLimitOverride: number | null
  rateLimitOverride: number | null
  accountCount: number
  accepted: number
  rejected: number
  readonly createdAt: string
  lastEventAtMs: number | null
  /** Changed since the last batch persisted it. */
  dirty = false
  /** Currently paused by its rate limit. */
  throttled = false
  readonly bucket: TokenBucket
  private limitCache = { at: 0, accounts: 0 }

  constructor(
    row: HostRow,
    private readonly cfg: HostLimitConfig,
  ) {
    this.id = row.id
    this.hostname = row.hostname
    this.status = row.status as HostStatus
    this.cursor = row.cursor
    this.trusted = row.trusted
    this.accountLimitOverride = row.accountLimit
    this.rateLimitOverride = row.rateLimit
    this.accountCount = row.accountCount
    this.accepted = row.accepted
    this.rejected = row.rejected
    this.createdAt = row.createdAt
    this.lastEventAtMs = row.lastEventAt ? Date.parse(row.lastEventAt) : null
    const rate = this.eventRate()
    this.bucket = new TokenBucket(rate, rate * 2)
  }

  toRow(): HostRow {
    return {
      id: this.id,
      hostname: this.hostname,
      status: this.status === 'throttled' ? 'active' : this.status,
      cursor: this.cursor,
      trusted: this.trusted,
      accountLimit: this.accountLimitOverride,
      rateLimit: this.rateLimitOverride,
      accountCount: this.accountCount,
      accepted: this.accepted,
      rejected: this.rejected,
      createdAt: this.createdAt,
      lastEventAt: this.lastEventAtMs === null ? null : new Date(this.lastEventAtMs).toISOString(),
    }
  }

  private standing() {
    return {
      trusted: this.trusted,
      accountLimit: this.accountLimitOverride,
      rateLimit: this.rateLimitOverride,
      createdAtMs: Date.parse(this.createdAt),
      accepted: this.accepted,
      rejected: this.rejected,
    }
  }

  /** Current account limit (recomputed at most once a second). */
  accountLimit(now = Date.now()): number {
    if (now - this.limitCache.at > 1000) {
      this.limitCache = { at: now, accounts: hostAccountLimit(this.standing(), this.cfg, now) }
    }
    return this.limitCache.accounts
  }

  eventRate(): number {
    return hostEventRate(this.standing(), this.cfg, this.accountLimit())
  }

  /** Re-reads limits after an override or trust change, or as the host ages. */
  refreshLimits(): void {
    this.limitCache.at = 0
    const rate = this.eventRate()
    this.bucket.rate = rate
    this.bucket.burst = rate * 2
  }

  hasRoomForAccount(): boolean {
    return this.accountCount < this.accountLimit()
  }

  /** The status listHosts reports. */
  get reportedStatus(): HostStatus {
    if (this.status === 'active' && this.throttled) return 'throttled'
    return this.status
  }
}
