/**
 * The relay's identity cache: for each DID, its current atproto signing key and PDS host (the `host` of the
 * `#atproto_pds` endpoint, lowercased, e.g. `pds.example.com` or `localhost:2583`). Synchronous lookups
 * for the hot path (`peek`), one shared resolution per DID, entries re-resolved in the background once
 * older than `ttlMs`, DIDs that do not resolve remembered briefly so a hostile host cannot make us
 * hammer the PLC directory, and forced refreshes (#identity events, failed signatures, wrong host) limited
 * to one per DID per `minRefreshMs`.
 *
 * Resolution itself (PLC / did:web, timeouts, size caps) is @stratus/core/identity's DidResolver.
 */
import { type DidDocument, getHandle, getPdsEndpoint, getSigningKey } from '@stratus/core/identity'

export interface IdentityInfo {
  did: string
  signingKey?: string
  pdsUrl?: string
  pdsHost?: string
  handle?: string
}

export interface DidResolverLike {
  resolveNoCache(did: string): Promise<DidDocument | null>
}

export interface IdentitiesOptions {
  ttlMs?: number
  /** How long a DID that did not resolve stays unresolved. Default 60 s. */
  negativeTtlMs?: number
  minRefreshMs?: number
  maxEntries?: number
  now?: () => number
}

interface Entry {
  info: IdentityInfo | null
  at: number
}

export function identityFromDoc(did: string, doc: DidDocument): IdentityInfo {
  const pdsUrl = getPdsEndpoint(doc)
  let pdsHost: string | undefined
  try {
    pdsHost = pdsUrl ? new URL(pdsUrl).host.toLowerCase() : undefined
  } catch {
    pdsHost = undefined
  }
  return { did, signingKey: getSigningKey(doc), pdsUrl, pdsHost, handle: getHandle(doc) }
}

export class Identities {
  private readonly entries = new Map<string, Entry>()
  private readonly inflight = new Map<string, Promise<IdentityInfo | null>>()
  private readonly ttl: number
  private readonly negativeTtl: number
  private readonly minRefresh: number
  private readonly max: number
  private readonly now: () => number
  resolutions = 0
  failures = 0

  constructor(
    private readonly resolver: DidResolverLike,
    opts: IdentitiesOptions = {},
  ) {
    this.ttl = opts.ttlMs ?? 60 * 60 * 1000
    this.negativeTtl = opts.negativeTtlMs ?? 60_000
    this.minRefresh = opts.minRefreshMs ?? 30_000
    this.max = opts.maxEntries ?? 500_000
    this.now = opts.now ?? Date.now
  }

  /** The cached identity (null: known not to resolve; undefined: unknown). Stale entries refresh in the background. */
  peek(did: string): IdentityInfo | null | undefined {
    const e = this.entries.get(did)
    if (!e) return undefined
    const age = this.now() - e.at
    if (e.info === null) return age < this.negativeTtl ? null : undefined
    if (age >= this.ttl) void this.fetch(did).catch(() => {})
    return e.info
  }

  async get(did: string): Promise<IdentityInfo | null> {
    const hit = this.peek(did)
    if (hit !== undefined) return hit
    return this.fetch(did)
  }

  /**
   * Re-resolves now, unless it was resolved within `minAgeMs` (default `minRefreshMs`; then the cached
   * answer). An #identity event passes a short minimum: the account says its document just changed.
   */
  async refresh(did: string, minAgeMs = this.minRefresh): Promise<IdentityInfo | null> {
    const e = this.entries.get(did)
    if (e && this.now() - e.at < minAgeMs) return e.info
    return this.fetch(did)
  }

  /** True if a forced refresh would actually re-resolve. */
  canRefresh(did: string): boolean {
    const e = this.entries.get(did)
    return !e || this.now() - e.at >= this.minRefresh
  }

  private fetch(did: string): Promise<IdentityInfo | null> {
    const running = this.inflight.get(did)
    if (running) return running
    this.resolutions++
    const p = this.resolver
      .resolveNoCache(did)
      .then((doc) => {
        const info = doc ? identityFromDoc(did, doc) : null
        this.set(did, info, this.now())
        return info
      })
      .catch(() => {
        // A failed lookup (network, directory down) is retried sooner than a DID that does not exist.
        this.failures++
        const old = this.entries.get(did)?.info
        if (old) return old
        this.set(did, null, this.now() - this.negativeTtl + Math.min(5000, this.negativeTtl))
        return null
      })
      .finally(() => this.inflight.delete(did))
    this.inflight.set(did, p)
    return p
  }

  private set(did: string, info: IdentityInfo | null, at: number): void {
    this.entries.delete(did)
    this.entries.set(did, { info, at })
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string)
  }

  get size(): number {
    return this.entries.size
  }
}
