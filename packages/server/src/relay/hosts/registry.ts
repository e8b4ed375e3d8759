/**
 * The hosts the relay knows, and the operations on them: crawl requests (hostname validation, the address
 * must be public unless dev mode, the host must answer describeServer like a PDS), seed hosts (trusted),
 * listing for listHosts/getHostStatus, and the operator's ban/unban and limit overrides. Starting and
 * stopping the subscriptions is the crawler's job; this registry tells it when.
 */
import { safeFetch, platformDns } from '@stratus/core/identity'
import { XRPCError } from '@stratus/core/xrpc'
import type { HostRow, RelayStore } from '../db/store.ts'
import { Host } from './host.ts'
import { HostnameError, assertPublicHost, hostBaseUrl, normalizeHostname } from './hostname.ts'
import type { HostLimitConfig } from './limits.ts'

export interface RegistryOptions {
  store: RelayStore
  dev: boolean
  limits: HostLimitConfig
  start: (h: Host) => void
  stop: (h: Host) => void
  /** Overridable for tests. */
  probe?: (hostname: string) => Promise<void>
}

export class HostRegistry {
  private readonly byId = new Map<number, Host>()
  private readonly byName = new Map<string, Host>()
  private nextId = 1
  private readonly adding = new Map<string, Promise<Host>>()

  constructor(private readonly opts: RegistryOptions) {}

  async load(): Promise<void> {
    for (const row of await this.opts.store.loadHosts()) this.remember(new Host(row, this.opts.limits))
  }

  private remember(h: Host): Host {
    this.byId.set(h.id, h)
    this.byName.set(h.hostname, h)
    this.nextId = Math.max(this.nextId, h.id + 1)
    return h
  }

  get all(): Host[] {
    return [...this.byId.values()]
  }

  byIdGet(id: number): Host | undefined {
    return this.byId.get(id)
  }

  get(hostname: string): Host | undefined {
    try {
      return this.byName.get(normalizeHostname(hostname, this.opts.dev))
    } catch {
      return undefined
    }
  }

  /** Hosts in first-seen order after `afterId` (listHosts). */
  list(afterId: number, limit: number): Host[] {
    return this.all
      .filter((h) => h.id > afterId)
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
  }

  /** Rows changed since the last call (for the sequencer's batch). */
  takeDirty(): HostRow[] {
    const out: HostRow[] = []
    for (const h of this.byId.values()) {
      if (!h.dirty) continue
      h.dirty = false
      out.push(h.toRow())
    }
    return out
  }

  private canonical(hostname: string): string {
    try {
      return normalizeHostname(hostname, this.opts.dev)
    } catch (err) {
      if (err instanceof HostnameError) throw new XRPCError(400, 'InvalidRequest', err.message)
      throw err
    }
  }

  /** com.atproto.sync.requestCrawl: add (after checks) or wake up a host. */
  async requestCrawl(hostname: string, opts: { trusted?: boolean; skipProbe?: boolean } = {}): Promise<Host> {
    const name = this.canonical(hostname)
    const known = this.byName.get(name)
    if (known) {
      if (known.status === 'banned') throw new XRPCError(400, 'HostBanned', 'This host is banned')
      if (opts.trusted && !known.trusted) {
        known.trusted = true
        known.refreshLimits()
        known.dirty = true
      }
      if (known.status === 'idle' || known.status === 'offline') {
        known.status = 'active'
        known.dirty = true
      }
      this.opts.start(known)
      return known
    }
    let p = this.adding.get(name)
    if (!p) {
      p = this.addNew(name, opts).finally(() => this.adding.delete(name))
      this.adding.set(name, p)
    }
    return p
  }

  private async addNew(
    name: string,
    opts: { trusted?: boolean; skipProbe?: boolean; status?: 'active' | 'banned' },
  ): Promise<Host> {
    if (!opts.skipProbe) await (this.opts.probe ?? ((n) => this.probe(n)))(name)
    const row: HostRow = {
      id: this.nextId++,
      hostname: name,
      status: opts.status ?? 'active',
      cursor: null,
      trusted: opts.trusted ?? false,
      accountLimit: null,
      rateLimit: null,
      accountCount: 0,
      accepted: 0,
      rejected: 0,
      createdAt: new Date().toISOString(),
      lastEventAt: null,
    }
    await this.opts.store.upsertHosts([row])
    const host = this.remember(new Host(row, this.opts.limits))
    if (host.status === 'active') this.opts.start(host)
    return host
  }

  /** The host must have a public address (unless dev) and answer describeServer with a DID. */
  private async probe(name: string): Promise<void> {
    const { dev } = this.opts
    try {
      await assertPublicHost(name, dev)
      const res = await safeFetch(`${hostBaseUrl(name, dev)}/xrpc/com.atproto.server.describeServer`, {
        fetch: globalThis.fetch,
        dns: platformDns(5000),
        timeoutMs: 5000,
        maxBytes: 64 * 1024,
        allowPrivateNetwork: dev,
        maxRedirects: 0,
      })
      if (res.status !== 200) throw new Error(`describeServer answered HTTP ${res.status}`)
      const body = JSON.parse(new TextDecoder().decode(res.body)) as { did?: unknown }
      if (typeof body?.did !== 'string') throw new Error('describeServer has no did')
    } catch (err) {
      throw new XRPCError(400, 'InvalidRequest', `host is not a reachable PDS: ${(err as Error).message}`)
    }
  }

  ban(hostname: string): Host {
    const h = this.need(hostname)
    h.status = 'banned'
    h.dirty = true
    this.opts.stop(h)
    return h
  }

  unban(hostname: string): Host {
    const h = this.need(hostname)
    if (h.status === 'banned') {
      h.status = 'active'
      h.dirty = true
      this.opts.start(h)
    }
    return h
  }

  setLimits(hostname: string, o: { accountLimit?: number | null; rateLimit?: number | null; trusted?: boolean }): Host {
    const h = this.need(hostname)
    if (o.accountLimit !== undefined) h.accountLimitOverride = o.accountLimit
    if (o.rateLimit !== undefined) h.rateLimitOverride = o.rateLimit
    if (o.trusted !== undefined) h.trusted = o.trusted
    h.refreshLimits()
    h.dirty = true
    return h
  }

  /** Bans a hostname not seen yet, so requestCrawl refuses it. */
  async banNew(hostname: string): Promise<Host> {
    const name = this.canonical(hostname)
    const known = this.byName.get(name)
    if (known) return this.ban(name)
    return this.addNew(name, { skipProbe: true, status: 'banned' })
  }

  private need(hostname: string): Host {
    const h = this.byName.get(this.canonical(hostname))
    if (!h) throw new XRPCError(400, 'HostNotFound', `unknown host: ${hostname}`)
    return h
  }
}
