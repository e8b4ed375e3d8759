/**
 * In-memory cache with two ages: within `staleTtlMs` a value is served as is; between that and
 * `maxTtlMs` it is served stale while one background refresh runs; beyond `maxTtlMs` (or on an
 * explicit refresh) callers wait for a fresh value. Concurrent lookups of one key share one fetch.
 * Only found values are cached (a DID not found now may exist a second later). A failed background
 * refresh keeps the stale value. Bounded by `maxEntries` (oldest-inserted evicted first).
 */

export interface CacheOptions {
  staleTtlMs?: number
  maxTtlMs?: number
  maxEntries?: number
  /** Injectable clock (ms). */
  now?: () => number
}

interface Entry<T> {
  value: T
  updatedAt: number
}

export class SwrCache<T> {
  readonly staleTtlMs: number
  readonly maxTtlMs: number
  private readonly maxEntries: number
  private readonly now: () => number
  private readonly entries = new Map<string, Entry<T>>()
  private readonly inflight = new Map<string, Promise<T | null>>()

  constructor(opts: CacheOptions = {}) {
    this.staleTtlMs = opts.staleTtlMs ?? 60 * 60 * 1000
    this.maxTtlMs = opts.maxTtlMs ?? 24 * 60 * 60 * 1000
    this.maxEntries = opts.maxEntries ?? 100_000
    this.now = opts.now ?? Date.now
  }

  /** Cached value for `key`, fetching as the freshness rules require. */
  async get(key: string, fetcher: () => Promise<T | null>, opts: { forceRefresh?: boolean } = {}): Promise<T | null> {
    const entry = this.entries.get(key)
    if (entry && !opts.forceRefresh) {
      const age = this.now() - entry.updatedAt
      if (age < this.staleTtlMs) return entry.value
      if (age < this.maxTtlMs) {
        this.refresh(key, fetcher).catch(() => {}) // serve stale; keep it if the refresh fails
        return entry.value
      }
    }
    return this.refresh(key, fetcher)
  }

  /** Fetches now (sharing an in-flight fetch) and stores a found value. */
  refresh(key: string, fetcher: () => Promise<T | null>): Promise<T | null> {
    const running = this.inflight.get(key)
    if (running) return running
    const p = fetcher()
      .then((value) => {
        if (value === null) this.entries.delete(key)
        else this.set(key, value)
        return value
      })
      .finally(() => this.inflight.delete(key))
    this.inflight.set(key, p)
    return p
  }

  peek(key: string): { value: T; stale: boolean; expired: boolean } | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    const age = this.now() - e.updatedAt
    return { value: e.value, stale: age >= this.staleTtlMs, expired: age >= this.maxTtlMs }
  }

  set(key: string, value: T): void {
    this.entries.delete(key)
    this.entries.set(key, { value, updatedAt: this.now() })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }
}
