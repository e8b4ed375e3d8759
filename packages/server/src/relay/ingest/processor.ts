/**
 * The stateful half of validation, run in upstream order per host (pipeline.ts calls it as each event
 * reaches the head of its host's queue). Given an event that already passed the stateless checks
 * (verify-job.ts: signature, proof against the event's own prevData) it checks it against what the relay
 * knows about the account, then either emits it through the sequencer or drops and counts it:
 *
 * - account status: dropped while the operator took it down or its host says it is not active;
 * - `rev` must be newer than the last accepted and not in the future (beyond a small clock slack);
 * - sync 1.1 proof failures: dropped in strict mode (the default), passed and counted in lenient mode;
 * - chain: prevData must equal the last verified data; a break marks the account desynchronized, holds
 *   its next verified commits (bounded) and asks for a resync (getRepo), whose result is adopted as a
 *   #sync, after which held commits that chain on are released;
 * - #sync replaces the account's state when its rev is newer; #identity and #account pass through,
 *   #account updating the upstream status the relay reports (carried hop by hop);
 * - a new account needs room under its host's account limit.
 */
import { CID, writeCarBytes } from '@stratus/core/data'
import { MemoryBlockStore, Mst } from '@stratus/core/repo'
import { tidTimestamp } from '@stratus/core/syntax'
import type { Host } from '../hosts/host.ts'
import type { Sequencer } from '../output/sequencer.ts'
import { type AccountState, type Accounts, accountStatus } from '../state/accounts.ts'
import { type Counters, type DropReason, HOSTILE } from './counters.ts'
import { frameParts } from './frame-parts.ts'
import type { VerifiedFields } from './verify-job.ts'

export interface ProcessorConfig {
  strict: boolean
  /** How far in the future a rev may be. Default 5 minutes. */
  futureRevSlackMs: number
  /** Verified commits (and their bytes) kept per desynchronized account while its resync runs. */
  maxHeld: number
  maxHeldBytes: number
}

export interface ResyncResult {
  did: string
  rev: string
  commit: string
  data: string
  /** The signed commit block, for the #sync event. */
  commitBlock: Uint8Array
}

export interface ProcessorDeps {
  cfg: ProcessorConfig
  accounts: Accounts
  sequencer: Sequencer
  counters: Counters
  requestResync: (did: string) => void
  hostById: (id: number) => Host | undefined
}

const EMPTY_TREE = Mst.empty(new MemoryBlockStore()).rootCid().toString()

export class Processor {
  constructor(private readonly deps: ProcessorDeps) {}

  drop(host: Host | undefined, reason: DropReason): void {
    this.deps.counters.drop(reason)
    if (host && HOSTILE.has(reason)) {
      host.rejected++
      host.dirty = true
    }
  }

  private accepted(host: Host | undefined, kind: string): void {
    this.deps.counters.accept(kind)
    if (host) {
      host.accepted++
      host.dirty = true
    }
  }

  /** The account's state, creating it (if its host has room) for a first event. */
  account(host: Host, did: string, create: boolean): AccountState | null {
    const { accounts } = this.deps
    let s = accounts.peek(did) ?? null
    if (!s) {
      if (!create || !host.hasRoomForAccount()) return null
      s = accounts.create(did, host.id)
      host.accountCount++
      host.dirty = true
    } else if (s.hostId !== host.id) {
      // The DID document names this host now (checked before): the account moved.
      const old = this.deps.hostById(s.hostId)
      if (old) {
        old.accountCount = Math.max(0, old.accountCount - 1)
        old.dirty = true
      }
      s.hostId = host.id
      host.accountCount++
      host.dirty = true
      accounts.touch(s)
    }
    return s
  }

  private statusDrop(s: AccountState): DropReason | undefined {
    if (s.relayStatus) return 'takendown'
    if (s.upstreamStatus !== 'active') return 'inactive'
    return undefined
  }

  private revDrop(s: AccountState, rev: string): DropReason | undefined {
    if (s.rev !== null && rev <= s.rev) return 'stale-rev'
    if (tidTimestamp(rev) / 1000 > Date.now() + this.deps.cfg.futureRevSlackMs) return 'future-rev'
    return undefined
  }

  applyCommit(host: Host, r: VerifiedFields): void {
    const s = this.account(host, r.did, true)
    if (!s) {
      this.drop(host, 'account-limit')
      return
    }
    const early = this.statusDrop(s) ?? this.revDrop(s, r.rev)
    if (early) {
      this.drop(host, early)
      return
    }
    if (r.proofError) {
      if (this.deps.cfg.strict) {
        this.drop(host, 'bad-proof')
        return
      }
      this.deps.counters.lenientPasses++
    }
    if (s.desync) {
      this.hold(s, r, 'desynchronized')
      return
    }
    const prevData = r.prevData ?? (r.since === null ? EMPTY_TREE : undefined)
    if (s.data !== null && prevData !== undefined && prevData !== s.data && !r.proofError) {
      s.desync = true
      this.deps.accounts.touch(s)
      this.hold(s, r, 'broken-chain')
      return
    }
    this.adoptCommit(host, s, r)
  }

  private adoptCommit(host: Host | undefined, s: AccountState, r: VerifiedFields): void {
    s.rev = r.rev
    s.head = r.commit
    s.data = r.data
    this.deps.accounts.touch(s)
    this.deps.sequencer.emit(r.parts, r.kind, s.did)
    this.accepted(host, r.kind)
  }

  /** Keeps a verified commit of a desynchronized account for after its resync (and makes sure one runs). */
  private hold(s: AccountState, r: VerifiedFields, reason: 'broken-chain' | 'desynchronized'): void {
    s.held ??= []
    if (reason === 'broken-chain') this.deps.counters.chainBreaks++
    const size = (x: VerifiedFields) => x.parts.prefix.byteLength + x.parts.suffix.byteLength
    const bytes = s.held.reduce((n, x) => n + size(x), size(r))
    if (s.held.length < this.deps.cfg.maxHeld && bytes <= this.deps.cfg.maxHeldBytes) {
      s.held.push(r)
      this.deps.counters.held++
    } else this.deps.counters.drop('desynchronized')
    this.deps.requestResync(s.did)
  }

  /** A commit of this account was dropped in a way that loses data (its rate limit): resync it later. */
  lostCommit(did: string): void {
    const s = this.deps.accounts.peek(did)
    if (!s || s.desync) return
    s.desync = true
    this.deps.accounts.touch(s)
    this.deps.requestResync(did)
  }

  applySync(host: Host, r: VerifiedFields): void {
    const s = this.account(host, r.did, true)
    if (!s) {
      this.drop(host, 'account-limit')
      return
    }
    const status = this.statusDrop(s)
    if (status) {
      this.drop(host, status)
      return
    }
    if (s.rev !== null && r.rev <= s.rev && !s.desync) {
      this.drop(host, 'stale-sync')
      return
    }
    const rev = this.revDrop({ ...s, rev: null }, r.rev)
    if (rev) {
      this.drop(host, rev)
      return
    }
    s.desync = false
    this.adoptCommit(host, s, r)
    this.release(s)
  }

  /** A resync's verified repository becomes the account's state, announced as a #sync. */
  applyResync(res: ResyncResult): void {
    const s = this.deps.accounts.peek(res.did)
    if (!s) return
    if (s.rev !== null && res.rev < s.rev) {
      this.deps.counters.resyncs.failed++
      return
    }
    const block = { cid: CID.parse(res.commit), bytes: res.commitBlock }
    const parts = frameParts('#sync', {
      did: res.did,
      rev: res.rev,
      blocks: writeCarBytes([block.cid], [block]),
      time: new Date().toISOString(),
    })
    s.desync = false
    this.deps.counters.resyncs.succeeded++
    this.adoptCommit(this.deps.hostById(s.hostId), s, {
      ok: true,
      kind: '#sync',
      did: res.did,
      rev: res.rev,
      commit: res.commit,
      data: res.data,
      parts,
    })
    this.release(s)
  }

  /** Releases held commits that chain on from the adopted state (older ones are dropped). */
  private release(s: AccountState): void {
    const held = s.held ?? []
    s.held = undefined
    for (const r of held) {
      if (s.rev !== null && r.rev <= s.rev) continue
      const prevData = r.prevData ?? (r.since === null ? EMPTY_TREE : undefined)
      if (s.desync || (prevData !== undefined && prevData !== s.data)) {
        s.desync = true
        this.hold(s, r, 'broken-chain')
        continue
      }
      this.adoptCommit(this.deps.hostById(s.hostId), s, r)
    }
    this.deps.accounts.touch(s)
  }

  applyIdentity(host: Host, did: string, handle: string | undefined, time: string): void {
    const parts = frameParts('#identity', { did, time, handle })
    this.deps.sequencer.emit(parts, '#identity', did)
    this.accepted(host, '#identity')
  }

  applyAccount(host: Host, did: string, active: boolean, status: string | undefined, time: string): void {
    const s = this.account(host, did, true)
    if (!s) {
      this.drop(host, 'account-limit')
      return
    }
    s.upstreamStatus = active ? 'active' : (status ?? 'inactive')
    this.deps.accounts.touch(s)
    this.emitAccount(s, time)
    this.accepted(host, '#account')
  }

  /** Emits the relay's view of an account's status (after an upstream #account or an operator action). */
  emitAccount(s: AccountState, time = new Date().toISOString()): void {
    const { active, status } = accountStatus(s)
    const parts = frameParts('#account', { did: s.did, time, active, status })
    this.deps.sequencer.emit(parts, '#account', s.did)
  }
}
