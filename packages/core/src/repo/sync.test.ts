import { readFileSync } from 'node:fs'
import { MemoryBlockstore, Repo as TheirRepo, WriteOpAction, blocksToCarFile, verifyProofs } from '@atproto/repo'
import { Secp256k1Keypair as TheirKeypair } from '@atproto/crypto'
import { describe, expect, it } from 'vitest'
import { Secp256k1Keypair } from '../crypto/index.ts'
import { CID, writeCarBytes } from '../data/index.ts'
import {
  type CommitData,
  type CommitEvent,
  MemoryBlockStore,
  Mst,
  type RecordWrite,
  Repo,
  type RepoOp,
  RepoVerificationError,
  coveringProof,
  decodeCommit,
  encodeCommit,
  signCommit,
  verifyCommitEvent,
  verifySyncEvent,
} from './index.ts'
import { fromMf, prng, randInt, toMf } from './test-util.ts'

const did = 'did:plc:synctestaaaaaaaaaaaaaaaa'
const COLL = 'com.example.record'
const keypair = Secp256k1Keypair.create()

function eventOf(c: CommitData): CommitEvent {
  return {
    repo: c.did,
    commit: c.cid,
    rev: c.rev,
    since: c.since,
    blocks: writeCarBytes([c.cid], c.eventBlocks),
    ops: c.ops,
    prevData: c.prevData,
  }
}

function expectFail(evt: CommitEvent, code: string, msg: RegExp, signingKey = keypair.did()): void {
  let err: unknown
  try {
    verifyCommitEvent(evt, { signingKey })
  } catch (e) {
    err = e
  }
  expect(err, `expected ${code}`).toBeInstanceOf(RepoVerificationError)
  expect((err as RepoVerificationError).code).toBe(code)
  expect((err as Error).message).toMatch(msg)
}

/** A repo with 300 records and a random batch of writes against it. */
function randomCommit(seed: number, size = 300): { repo: Repo; commit: CommitData; writes: RecordWrite[] } {
  const rnd = prng(seed)
  const initial: RecordWrite[] = Array.from({ length: size }, (_, i) => ({
    action: 'create',
    collection: COLL,
    rkey: `r${i}`,
    record: { $type: COLL, i },
  }))
  const repo = Repo.create(new MemoryBlockStore(), did, keypair, initial)
  const writes: RecordWrite[] = []
  const used = new Set<number>()
  const n = 1 + randInt(rnd, 10)
  for (let i = 0; i < n; i++) {
    const r = rnd()
    if (r < 0.4) {
      writes.push({ action: 'create', collection: COLL, rkey: `new${seed}-${i}`, record: { $type: COLL, s: seed, i } })
      continue
    }
    const k = randInt(rnd, size)
    if (used.has(k)) continue
    used.add(k)
    if (r < 0.7) writes.push({ action: 'update', collection: COLL, rkey: `r${k}`, record: { $type: COLL, u: k, seed } })
    else writes.push({ action: 'delete', collection: COLL, rkey: `r${k}` })
  }
  return { repo, commit: repo.formatCommit(writes, keypair), writes }
}

describe('verifyCommitEvent', () => {
  it('accepts honest commits (random batches of creates, updates, deletes)', () => {
    for (let seed = 0; seed < 40; seed++) {
      const { commit } = randomCommit(seed, 200)
      const ok = verifyCommitEvent(eventOf(commit), { signingKey: keypair.did(), prevData: commit.prevData as CID })
      expect(ok.commitCid.equals(commit.cid)).toBe(true)
    }
  })

  it('our events pass the official consumer check (verifyProofs on the event blocks)', async () => {
    for (let seed = 100; seed < 115; seed++) {
      const { commit } = randomCommit(seed)
      const claims = commit.ops.map((op) => {
        const [collection, rkey] = op.path.split('/')
        return { collection, rkey, cid: op.cid ? toMf(op.cid) : null }
      })
      const res = await verifyProofs(eventOf(commit).blocks, claims, did, keypair.did())
      expect(res.unverified).toEqual([])
    }
  })

  it('accepts events built from @atproto/repo commits', async () => {
    const theirKey = await TheirKeypair.create()
    const initial = Array.from({ length: 200 }, (_, i) => ({
      action: WriteOpAction.Create as const,
      collection: COLL,
      rkey: `r${i}`,
      record: { $type: COLL, i },
    }))
    const repo = await TheirRepo.create(new MemoryBlockstore(), did, theirKey, initial)
    const rnd = prng(7)
    for (let round = 0; round < 10; round++) {
      const ks = [...new Set(Array.from({ length: 4 }, () => randInt(rnd, 200)))]
      const writes = ks.map((k, i) =>
        i % 2 === 0
          ? {
              action: WriteOpAction.Update as const,
              collection: COLL,
              rkey: `r${k}`,
              record: { $type: COLL, round, k },
            }
          : { action: WriteOpAction.Delete as const, collection: COLL, rkey: `r${k}` },
      )
      writes.push({
        action: WriteOpAction.Create as never,
        collection: COLL,
        rkey: `c${round}`,
        record: { $type: COLL, round },
      } as never)
      const c = await repo.formatCommit(writes as never, theirKey)
      // Read the new tree (their blocks + the commit's new blocks) with our Mst to fill in op cids.
      const all = new MemoryBlockStore()
      for (const b of (repo.storage as MemoryBlockstore).blocks.entries()) all.put(fromMf(b.cid), b.bytes)
      for (const b of c.newBlocks.entries()) all.put(fromMf(b.cid), b.bytes)
      const after = Mst.load(all, decodeCommit(c.newBlocks.get(c.cid) as Uint8Array).data)
      const ops: RepoOp[] = []
      for (const w of writes) {
        const path = `${COLL}/${w.rkey}`
        const prev = await repo.data.get(path)
        const now = after.get(path)
        ops.push({ action: w.action as RepoOp['action'], path, cid: now, ...(prev ? { prev: fromMf(prev) } : {}) })
      }
      const blocks = c.newBlocks
      blocks.addMap(c.relevantBlocks)
      const evt: CommitEvent = {
        repo: did,
        commit: fromMf(c.cid),
        rev: c.rev,
        since: c.since,
        blocks: await blocksToCarFile(c.cid, blocks),
        ops,
        prevData: fromMf(repo.commit.data),
      }
      expect(() => verifyCommitEvent(evt, { signingKey: theirKey.did() })).not.toThrow()
    }
  })

  it('commit proof fixtures: the fixture proof blocks are enough to invert, fewer are not', () => {
    const fixtures = JSON.parse(
      readFileSync(new URL('../../../../test-vectors/firehose/commit-proof-fixtures.json', import.meta.url), 'utf8'),
    ) as { leafValue: string; keys: string[]; adds: string[]; dels: string[]; rootBeforeCommit: string }[]
    for (const f of fixtures) {
      const leaf = CID.parse(f.leafValue)
      let mst = Mst.empty(new MemoryBlockStore())
      for (const k of f.keys) mst = mst.add(k, leaf)
      const prevData = mst.rootCid()
      for (const k of f.adds) mst = mst.add(k, leaf)
      for (const k of f.dels) mst = mst.delete(k)
      const proof = coveringProof(mst, [...f.adds, ...f.dels])
      const commit = signCommit({ did, version: 3, data: mst.rootCid(), rev: '3kaaaaaaaaaa2', prev: null }, keypair)
      const cb = encodeCommit(commit)
      const ops: RepoOp[] = [
        ...f.adds.map((path) => ({ action: 'create' as const, path, cid: leaf })),
        ...f.dels.map((path) => ({ action: 'delete' as const, path, cid: null, prev: leaf })),
      ]
      const evt = (blocks: Iterable<{ cid: CID; bytes: Uint8Array }>): CommitEvent => ({
        repo: did,
        commit: cb.cid,
        rev: commit.rev,
        blocks: writeCarBytes([cb.cid], [cb, ...blocks]),
        ops,
        prevData,
      })
      expect(prevData.toString()).toBe(f.rootBeforeCommit)
      expect(() => verifyCommitEvent(evt(proof), { signingKey: keypair.did() })).not.toThrow()
      // Dropping the root node of the new tree always breaks the inversion.
      const withoutRoot = [...proof].filter((b) => !b.cid.equals(mst.rootCid()))
      expectFail(evt(withoutRoot), 'missing-block', /lacks a block/)
    }
  })

  it('rejects tampered events with a clear error', () => {
    const { commit, repo } = randomCommit(5)
    const good = eventOf(commit)
    expect(good.ops.length).toBeGreaterThan(1)
    const other = Secp256k1Keypair.create()
    expectFail(good, 'bad-signature', /signature/, other.did())
    expectFail({ ...good, repo: 'did:plc:someoneelseaaaaaaaaaaaa' }, 'wrong-did', /expected/)
    expectFail({ ...good, rev: '3kzzzzzzzzzz2' }, 'bad-rev', /rev/)
    expectFail({ ...good, prevData: commit.cid }, 'inversion-failed', /not prevData/)
    expectFail({ ...good, prevData: undefined }, 'inversion-failed', /no prevData/)
    expectFail({ ...good, ops: good.ops.slice(1) }, 'inversion-failed', /./)
    const firstWithCid = good.ops.findIndex((o) => o.cid)
    const wrongCid = good.ops.map((o, i) => (i === firstWithCid ? { ...o, cid: repo.cid } : o))
    expectFail({ ...good, ops: wrongCid }, 'inversion-failed', /does not have the op's cid/)
    expectFail({ ...good, ops: [...good.ops, good.ops[0]] }, 'bad-ops', /more than one op/)
    expectFail({ ...good, ops: [{ action: 'create', path: 'bad', cid: repo.cid }] }, 'bad-ops', /invalid path/)
    expectFail(
      { ...good, ops: [{ action: 'create', path: `${COLL}/x`, cid: repo.cid, prev: repo.cid }] },
      'bad-ops',
      /has a prev/,
    )
    expectFail(
      { ...good, ops: [{ action: 'delete', path: `${COLL}/x`, cid: repo.cid, prev: repo.cid }] },
      'bad-ops',
      /has a cid/,
    )
    expectFail({ ...good, ops: [{ action: 'update', path: `${COLL}/x`, cid: repo.cid }] }, 'bad-ops', /needs both/)
    expectFail({ ...good, ops: Array(201).fill(good.ops[0]) }, 'too-large', /201 ops/)
    expectFail({ ...good, commit: repo.cid }, 'bad-car', /root/)
    expectFail({ ...good, blocks: good.blocks.subarray(0, 50) }, 'bad-car', /CAR/)
    const onlyCommit = writeCarBytes(
      [commit.cid],
      [...commit.eventBlocks].filter((b) => b.cid.equals(commit.cid)),
    )
    expectFail({ ...good, blocks: onlyCommit }, 'missing-block', /lacks/)
    expect(() => verifyCommitEvent(good, { signingKey: keypair.did(), prevData: repo.cid })).toThrow(
      /not the last known data/,
    )
  })

  it('#sync events', () => {
    const { commit } = randomCommit(9)
    const cb = [...commit.eventBlocks].find((b) => b.cid.equals(commit.cid)) as { cid: CID; bytes: Uint8Array }
    const blocks = writeCarBytes([commit.cid], [cb])
    expect(verifySyncEvent({ did, rev: commit.rev, blocks }, { signingKey: keypair.did() }).commit.rev).toBe(commit.rev)
    expect(() => verifySyncEvent({ did, rev: '3kzzzzzzzzzz2', blocks }, { signingKey: keypair.did() })).toThrow(/rev/)
  })
})
