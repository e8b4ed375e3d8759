/**
 * Handle -> DID by the two spec methods, run in parallel with DNS preferred: a TXT record at
 * `_atproto.<handle>` of the form `did=<did>` (exactly one distinct DID, other records ignored),
 * and `https://<handle>/.well-known/atproto-did` (2xx, body trimmed, a valid DID; up to 3
 * redirects, each hop re-checked). Without DNS (browsers) only HTTPS is used. Returns undefined
 * when neither method yields a DID. Does NOT check the DID document claims the handle back
 * (identity-resolver.ts does).
 */
import { utf8Decode } from '../bytes/index.ts'
import { isValidDid, normalizeHandle } from '../syntax/index.ts'
import { SwrCache } from './cache.ts'
import type { CacheOptions } from './cache.ts'
import type { NetworkOptions } from './did-resolver.ts'
import type { DnsResolver } from './dns.ts'
import { platformDns, withTimeout } from './dns.ts'
import { isResolvableHostname } from './hostname.ts'
import { safeFetch } from './safe-fetch.ts'

export interface HandleResolverOptions extends NetworkOptions {
  /** Redirects followed by the HTTPS method (spec: "a reasonable number"); default 3. */
  maxRedirects?: number
  cache?: SwrCache<string> | CacheOptions | false
}

export class HandleResolver {
  readonly cache: SwrCache<string> | null
  private readonly fetchFn: typeof fetch
  private readonly dns: DnsResolver | null
  private readonly timeoutMs: number
  private readonly dev: boolean
  private readonly maxRedirects: number

  constructor(opts: HandleResolverOptions = {}) {
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.timeoutMs = opts.timeoutMs ?? 3000
    this.dns = opts.dns === undefined ? platformDns(this.timeoutMs) : opts.dns
    this.dev = opts.allowPrivateNetwork ?? false
    this.maxRedirects = opts.maxRedirects ?? 3
    const c = opts.cache
    this.cache =
      c === false
        ? null
        : c instanceof SwrCache
          ? c
          : new SwrCache<string>(c ?? { staleTtlMs: 10 * 60 * 1000, maxTtlMs: 60 * 60 * 1000 })
  }

  /** The DID `handle` points to, or undefined. Invalid or unresolvable names give undefined. */
  async resolve(handle: string, opts: { forceRefresh?: boolean } = {}): Promise<string | undefined> {
    const h = normalizeHandle(handle)
    if (!isResolvableHostname(h, this.dev) || h === 'localhost') return undefined
    const did = this.cache ? await this.cache.get(h, () => this.resolveNoCache(h), opts) : await this.resolveNoCache(h)
    return did ?? undefined
  }

  private async resolveNoCache(handle: string): Promise<string | null> {
    const ctrl = new AbortController()
    const http = this.resolveHttp(handle, ctrl.signal)
    http.catch(() => {}) // may finish unobserved once DNS answers
    const fromDns = await this.resolveDns(handle)
    if (fromDns) {
      ctrl.abort()
      return fromDns
    }
    return (await http) ?? null
  }

  /** The DNS TXT method alone; undefined on no/ambiguous answer or DNS failure. */
  async resolveDns(handle: string): Promise<string | undefined> {
    if (!this.dns) return undefined
    const name = `_atproto.${normalizeHandle(handle)}`
    if (name.length > 253) return undefined
    let records: string[]
    try {
      records = await withTimeout(this.dns.resolveTxt(name), this.timeoutMs, `TXT ${name}`)
    } catch {
      return undefined
    }
    const dids = new Set<string>()
    for (const r of records) {
      if (!r.startsWith('did=')) continue
      const did = r.slice(4).trim()
      if (isValidDid(did)) dids.add(did)
    }
    return dids.size === 1 ? [...dids][0] : undefined
  }

  /** The HTTPS well-known method alone; undefined on any failure. */
  async resolveHttp(handle: string, signal?: AbortSignal): Promise<string | undefined> {
    const h = normalizeHandle(handle)
    try {
      const res = await safeFetch(`https://${h}/.well-known/atproto-did`, {
        fetch: this.fetchFn,
        dns: this.dns,
        timeoutMs: this.timeoutMs,
        maxBytes: 4096,
        allowPrivateNetwork: this.dev,
        maxRedirects: this.maxRedirects,
        headers: { accept: 'text/plain' },
        signal,
      })
      if (res.status < 200 || res.status > 299) return undefined
      const did = utf8Decode(res.body).trim()
      return isValidDid(did) ? did : undefined
    } catch {
      return undefined
    }
  }
}
