/**
 * Per-account sync state in memory, backed by the database: which host serves the account, its last
 * verified commit (head CID, rev, MST root), the status its host announced, the relay's own status
 * (admin takedown) and whether the chain broke (desynchronized, awaiting resync).
 *
 * Changes are recorded as immutable row snapshots (`touch`), taken by the sequencer at each batch cut
 * (`takeDirty`), so a batch persists exactly the state its events produced. Until that batch is committed
 * (`settled`) the snapshots also answer lookups, so an evicted account is never reloaded stale. The
 * cache is bounded; accounts being resynced are never evicted.
 */
import type { AccountRow, RelayStore } from '../db/store.ts'
import type { VerifiedFields } from '../ingest/verify-job.ts'

export interface AccountState {
  did: string
  hostId: number
  head: string | null
  rev: string | null
  data: string | null
  /** What the account's host last said ('active', 'deactivated', 'takendown', 'suspended', 'deleted', …). */
  upstreamStatus: string
  /** Relay-level status set by the operator ('takendown'), or null. */
  relayStatus: string | null
  /** The chain broke; commits wait (bounded) until a resync adopts a new state. */
  desync: boolean
  /** Verified commits held while desynchronized (not persisted). */
  held?: VerifiedFields[]
}

export function toRow(s: AccountState): AccountRow {
  return {
    did: s.did,
    hostId: s.hostId,
    head: s.head,
    rev: s.rev,
    data: s.data,
    upstreamStatus: s.upstreamStatus,
    relayStatus: s.relayStatus,
    desync: s.desync,
  }
}

function fromRow(r: AccountRow): AccountState {
  return { ...r }
}

/**
 * The account's status as this relay reports it: the operator's takedown first, then what the host said
 * ('inactive' = the host gave no reason), then — for getRepoStatus only, never announced as an #account
 * event, since a resync usually repairs it within seconds — desynchronized while a resync is pending.
 */
export function accountStatus(s: AccountState, opts: { desync?: boolean } = {}): { active: boolean; status?: string } {
  if (s.relayStatus) return { active: false, status: s.relayStatus }
  if (s.upstreamStatus === 'inactive') return { active: false }
  if (s.upstreamStatus !== 'active') return { active: false, status: s.upstreamStatus }
  if (s.desync && opts.desync) return { active: false, status: 'desynchronized' }
  return { active: true }
}

export class Accounts {
  /** null = known not to exist (so a burst of events for a new account looks it up once). */
  private readonly cache = new Map<string, AccountState | null>()
  private dirty = new Map<string, AccountRow>()
  /** Snapshots taken for batches not yet committed. */
  private readonly unsettled = new Map<string, AccountRow>()
  private readonly loading = new Map<string, Promise<AccountState | null>>()

  constructor(
    private readonly store: RelayStore,
    private readonly maxCached = 500_000,
  ) {}

  /** The cached state: null = known absent, undefined = not loaded. */
  peek(did: string): AccountState | null | undefined {
    return this.cache.get(did)
  }

  async get(did: string): Promise<AccountState | null> {
    const hit = this.cache.get(did)
    if (hit !== undefined) return hit
    const pending = this.dirty.get(did) ?? this.unsettled.get(did)
    if (pending) return this.remember(fromRow(pending))
    let p = this.loading.get(did)
    if (!p) {
      p = this.store.getAccount(did).then((row) => {
        this.loading.delete(did)
        // A state created meanwhile (by the pipeline) wins over what the database said.
        const now = this.cache.get(did)
        if (now) return now
        if (row) return this.remember(fromRow(row))
        this.cache.set(did, null)
        return null
      })
      p.catch(() => this.loading.delete(did))
      this.loading.set(did, p)
    }
    return p
  }

  create(did: string, hostId: number): AccountState {
    const s: AccountState = {
      did,
      hostId,
      head: null,
      rev: null,
      data: null,
      upstreamStatus: 'active',
      relayStatus: null,
      desync: false,
    }
    this.remember(s)
    this.touch(s)
    return s
  }

  /** Records the state's current values for the next batch. */
  touch(s: AccountState): void {
    this.dirty.set(s.did, toRow(s))
  }

  get dirtyCount(): number {
    return this.dirty.size
  }

  /** The snapshots for a batch cut; they keep answering lookups until `settled`. */
  takeDirty(): AccountRow[] {
    const rows = [...this.dirty.values()]
    for (const r of rows) this.unsettled.set(r.did, r)
    this.dirty = new Map()
    return rows
  }

  /** The batch holding these snapshots was committed. */
  settled(rows: AccountRow[]): void {
    for (const r of rows) if (this.unsettled.get(r.did) === r) this.unsettled.delete(r.did)
  }

  private remember(s: AccountState): AccountState {
    this.cache.set(s.did, s)
    if (this.cache.size > this.maxCached) this.evict()
    return s
  }

  private evict(): void {
    let budget = Math.max(1, Math.floor(this.maxCached / 100))
    for (const [did, s] of this.cache) {
      if (budget-- <= 0) break
      if (s?.desync) continue
      this.cache.delete(did)
    }
  }
}
