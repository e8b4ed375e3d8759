/**
 * DID resolution for the two blessed methods. did:plc: GET <directory>/<did> from a configured
 * directory (trusted config, so private addresses are allowed there; still no redirects, with a
 * timeout and size cap). did:web: hostname-only DIDs (no path), fetched from
 * https://<host>/.well-known/did.json; `localhost` with a %3A-encoded port only under the dev flag
 * (then over http). Not-found (404/410) gives null; everything else that is wrong throws.
 */
import { utf8Decode } from '../bytes/index.ts'
import { isValidPlcDid } from '../plc/index.ts'
import { isValidDid } from '../syntax/index.ts'
import { SwrCache } from './cache.ts'
import type { CacheOptions } from './cache.ts'
import type { AtprotoData, DidDocument } from './did-document.ts'
import { parseAtprotoData, parseDidDocument } from './did-document.ts'
import type { DnsResolver } from './dns.ts'
import { platformDns } from './dns.ts'
import {
  DidNotFoundError,
  FetchError,
  MissingAtprotoDataError,
  PoorlyFormattedDidDocumentError,
  PoorlyFormattedDidError,
  UnsupportedDidMethodError,
} from './errors.ts'
import { isResolvableHostname } from './hostname.ts'
import { safeFetch } from './safe-fetch.ts'

export const DEFAULT_PLC_URL = 'https://plc.directory'

export interface NetworkOptions {
  fetch?: typeof fetch
  /** null disables DNS (and with it the host-address check); default: the platform resolver. */
  dns?: DnsResolver | null
  timeoutMs?: number
  /** Dev flag: allow loopback/private targets, http://, `.test` names and did:web:localhost%3A<port>. */
  allowPrivateNetwork?: boolean
}

export interface DidResolverOptions extends NetworkOptions {
  plcUrl?: string
  maxDocBytes?: number
  /** A shared cache, cache options, or false to disable caching. */
  cache?: SwrCache<DidDocument> | CacheOptions | false
}

/** The document URL for a did:web, enforcing atproto's restrictions. */
export function didWebUrl(did: string, allowDev = false): string {
  const id = did.slice('did:web:'.length)
  if (id.includes(':')) throw new PoorlyFormattedDidError(did, 'path-based did:web is not supported')
  const m = /^([^%]+)(?:%3[aA](\d{1,5}))?$/.exec(id)
  if (!m) throw new PoorlyFormattedDidError(did, 'invalid percent-encoding')
  const host = m[1].toLowerCase()
  const port = m[2]
  if (!isResolvableHostname(host, allowDev)) throw new PoorlyFormattedDidError(did, `hostname not allowed: ${host}`)
  if (port !== undefined) {
    if (host !== 'localhost' || Number(port) > 65535)
      throw new PoorlyFormattedDidError(did, 'port only allowed for localhost')
    return `http://localhost:${port}/.well-known/did.json`
  }
  return host === 'localhost' ? 'http://localhost/.well-known/did.json' : `https://${host}/.well-known/did.json`
}

export class DidResolver {
  readonly plcUrl: string
  readonly cache: SwrCache<DidDocument> | null
  private readonly fetchFn: typeof fetch
  private readonly dns: DnsResolver | null
  private readonly timeoutMs: number
  private readonly maxDocBytes: number
  private readonly dev: boolean

  constructor(opts: DidResolverOptions = {}) {
    this.plcUrl = (opts.plcUrl ?? DEFAULT_PLC_URL).replace(/\/+$/, '')
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.timeoutMs = opts.timeoutMs ?? 3000
    this.dns = opts.dns === undefined ? platformDns(this.timeoutMs) : opts.dns
    this.maxDocBytes = opts.maxDocBytes ?? 64 * 1024
    this.dev = opts.allowPrivateNetwork ?? false
    const c = opts.cache
    this.cache = c === false ? null : c instanceof SwrCache ? c : new SwrCache<DidDocument>(c ?? {})
  }

  /** The DID document, or null if the DID does not exist (or is deactivated). */
  async resolve(did: string, opts: { forceRefresh?: boolean } = {}): Promise<DidDocument | null> {
    if (!this.cache) return this.resolveNoCache(did)
    return this.cache.get(did, () => this.resolveNoCache(did), opts)
  }

  /** Same as resolve(did, { forceRefresh: true }). */
  refresh(did: string): Promise<DidDocument | null> {
    return this.resolve(did, { forceRefresh: true })
  }

  async resolveNoCache(did: string): Promise<DidDocument | null> {
    if (!isValidDid(did)) throw new PoorlyFormattedDidError(did, 'invalid DID syntax')
    if (did.startsWith('did:plc:')) {
      if (!isValidPlcDid(did)) throw new PoorlyFormattedDidError(did, 'invalid did:plc identifier')
      return this.fetchDoc(did, `${this.plcUrl}/${encodeURIComponent(did)}`, true)
    }
    if (did.startsWith('did:web:')) return this.fetchDoc(did, didWebUrl(did, this.dev), this.dev)
    throw new UnsupportedDidMethodError(did)
  }

  private async fetchDoc(did: string, url: string, allowPrivate: boolean): Promise<DidDocument | null> {
    const res = await safeFetch(url, {
      fetch: this.fetchFn,
      dns: this.dns,
      timeoutMs: this.timeoutMs,
      maxBytes: this.maxDocBytes,
      allowPrivateNetwork: allowPrivate,
      maxRedirects: 0,
      headers: { accept: 'application/did+ld+json, application/json' },
    })
    if (res.status === 404 || res.status === 410) return null
    if (res.status < 200 || res.status > 299) throw new FetchError(url, `HTTP ${res.status}`, res.status)
    let json: unknown
    try {
      json = JSON.parse(utf8Decode(res.body))
    } catch {
      throw new PoorlyFormattedDidDocumentError(did, 'response is not valid JSON')
    }
    return parseDidDocument(json, did)
  }

  async ensureResolve(did: string, forceRefresh = false): Promise<DidDocument> {
    const doc = await this.resolve(did, { forceRefresh })
    if (!doc) throw new DidNotFoundError(did)
    return doc
  }

  async resolveAtprotoData(did: string, forceRefresh = false): Promise<AtprotoData> {
    return parseAtprotoData(await this.ensureResolve(did, forceRefresh))
  }

  /** The did:key signing key; with `forceRefresh` re-fetches (e.g. after a signature failed). */
  async resolveAtprotoKey(did: string, forceRefresh = false): Promise<string> {
    const data = await this.resolveAtprotoData(did, forceRefresh)
    if (!data.signingKey) throw new MissingAtprotoDataError(did, 'atproto signing key')
    return data.signingKey
  }
}
