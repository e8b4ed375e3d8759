import { exportRepoCarBytes } from '@stratus/core/repo'
import { tidFromTime } from '@stratus/core/syntax'
import { decodeFrame } from '@stratus/core/xrpc'
import { beforeEach, describe, expect, it } from 'vitest'
import type { RelayStore } from '../db/store.ts'
import { Host } from '../hosts/host.ts'
import { DEFAULT_HOST_LIMITS } from '../hosts/limits.ts'
import type { Sequencer } from '../output/sequencer.ts'
import { Accounts } from '../state/accounts.ts'
import { TestAccount, commitFrame, syncFrame } from '../test-util.ts'
import { Counters } from './counters.ts'
import { withSeq } from './frame-parts.ts'
import { Processor, type ProcessorConfig } from './processor.ts'
import { runRepoJob, runVerifyJob, type VerifiedFields } from './verify-job.ts'

interface Emitted {
  kind: string
  did: string
  body: Record<string, unknown>
}

function makeHost(accountLimit: number | null = null): Host {
  return new Host(
    {
      id: 1,
      hostname: 'pds.example.com',
      status: 'active',
      cursor: null,
      trusted: false,
      accountLimit,
      rateLimit: null,
      accountCount: 0,
      accepted: 0,
      rejected: 0,
      createdAt: new Date().toISOString(),
      lastEventAt: null,
    },
    DEFAULT_HOST_LIMITS,
  )
}

let emitted: Emitted[]
let resyncs: string[]
let counters: Counters
let accounts: Accounts
let host: Host

function processor(cfg: Partial<ProcessorConfig> = {}, h = host): Processor {
  const sequencer = {
    emit(parts: Parameters<typeof withSeq>[0], kind: string, did: string) {
      emitted.push({ kind, did, body: decodeFrame(withSeq(parts, emitted.length + 1)).body as Record<string, unknown> })
    },
  } as unknown as Sequencer
  return new Processor({
    cfg: { strict: true, futureRevSlackMs: 300_000, maxHeld: 3, maxHeldBytes: 1 << 20, ...cfg },
    accounts,
    sequencer,
    counters,
    requestResync: (did) => resyncs.push(did),
    hostById: () => h,
  })
}

function verified(acct: TestAccount, frame: Uint8Array, kind: '#commit' | '#sync' = '#commit'): VerifiedFields {
  const r = runVerifyJob({ kind, did: acct.did, signingKey: acct.signingKey, frame })
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`)
  return r
}

beforeEach(() => {
  emitted = []
  resyncs = []
  counters = new Counters()
  accounts = new Accounts({} as RelayStore)
  host = makeHost()
})

describe('Processor', () => {
  it('accepts a chain of commits and rejects replays and revs from the future', () => {
    const p = processor()
    const a = new TestAccount('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa')
    const c1 = a.post()
    const c2 = a.post()
    p.applyCommit(host, verified(a, commitFrame(c1, { seq: 1 })))
    p.applyCommit(host, verified(a, commitFrame(c2, { seq: 2 })))
    p.applyCommit(host, verified(a, commitFrame(c1, { seq: 3 })))
    expect(emitted.map((e) => e.body.rev)).toEqual([c1.rev, c2.rev])
    expect(counters.dropped['stale-rev']).toBe(1)
    expect(host.accountCount).toBe(1)
    expect(host.accepted).toBe(2)
    expect(host.rejected).toBe(1)
    const future = a.post(1, 'x', tidFromTime((Date.now() + 3_600_000) * 1000, 0))
    p.applyCommit(host, verified(a, commitFrame(future, { seq: 4 })))
    expect(counters.dropped['future-rev']).toBe(1)
    expect(accounts.peek(a.did)?.rev).toBe(c2.rev)
  })

  it('holds commits after a broken chain and releases those that chain on from the resync', () => {
    const p = processor()
    const a = new TestAccount('did:plc:bbbbbbbbbbbbbbbbbbbbbbbb')
    p.applyCommit(host, verified(a, commitFrame(a.post(), { seq: 1 })))
    a.post() // never seen by the relay
    const c3 = a.post()
    p.applyCommit(host, verified(a, commitFrame(c3, { seq: 3 })))
    expect(counters.chainBreaks).toBe(1)
    expect(accounts.peek(a.did)?.desync).toBe(true)
    expect(resyncs).toEqual([a.did])
    // The resync fetched the repo at c3; c4 arrives (held) before the resync finishes.
    const repo = runRepoJob({ did: a.did, signingKey: a.signingKey, car: exportRepoCarBytes(a.repo.store, a.repo.cid) })
    const c4 = a.post()
    p.applyCommit(host, verified(a, commitFrame(c4, { seq: 4 })))
    expect(emitted.length).toBe(1)
    if (!repo.ok) throw new Error(repo.message)
    p.applyResync({ did: a.did, ...repo })
    expect(emitted.map((e) => [e.kind, e.body.rev])).toEqual([
      ['#commit', emitted[0].body.rev],
      ['#sync', c3.rev],
      ['#commit', c4.rev],
    ])
    expect(accounts.peek(a.did)).toMatchObject({ desync: false, rev: c4.rev, data: c4.data.toString() })
  })

  it('applies #sync only when newer, and #account statuses hop by hop', () => {
    const p = processor()
    const a = new TestAccount('did:plc:cccccccccccccccccccccccc')
    p.applyCommit(host, verified(a, commitFrame(a.post(), { seq: 1 })))
    p.applySync(host, verified(a, syncFrame(a, 2), '#sync'))
    expect(counters.dropped['stale-sync']).toBe(1)
    a.post()
    p.applySync(host, verified(a, syncFrame(a, 3), '#sync'))
    expect(emitted.at(-1)).toMatchObject({ kind: '#sync', body: { rev: a.repo.rev } })
    p.applyAccount(host, a.did, false, 'deactivated', 't')
    expect(emitted.at(-1)?.body).toMatchObject({ active: false, status: 'deactivated' })
    p.applyCommit(host, verified(a, commitFrame(a.post(), { seq: 4 })))
    expect(counters.dropped.inactive).toBe(1)
    p.applyAccount(host, a.did, true, undefined, 't')
    expect(emitted.at(-1)?.body).toEqual({ did: a.did, seq: emitted.length, time: 't', active: true })
  })

  it('drops failed proofs in strict mode and passes them in lenient mode', () => {
    const a = new TestAccount('did:plc:dddddddddddddddddddddddd')
    const c1 = a.post()
    const bad = verified(a, commitFrame(c1, { seq: 1, stripBlocks: true }))
    expect(bad.proofError).toBeDefined()
    processor({ strict: true }).applyCommit(host, bad)
    expect(counters.dropped['bad-proof']).toBe(1)
    processor({ strict: false }).applyCommit(host, bad)
    expect(counters.lenientPasses).toBe(1)
    expect(emitted.length).toBe(1)
  })

  it('refuses new accounts beyond the host limit but keeps serving known ones', () => {
    const small = makeHost(1)
    const p = processor({}, small)
    const a = new TestAccount('did:plc:eeeeeeeeeeeeeeeeeeeeeeee')
    const b = new TestAccount('did:plc:ffffffffffffffffffffffff')
    p.applyCommit(small, verified(a, commitFrame(a.post(), { seq: 1 })))
    p.applyCommit(small, verified(b, commitFrame(b.post(), { seq: 2 })))
    p.applyCommit(small, verified(a, commitFrame(a.post(), { seq: 3 })))
    expect(counters.dropped['account-limit']).toBe(1)
    expect(emitted.map((e) => e.did)).toEqual([a.did, a.did])
  })
})
