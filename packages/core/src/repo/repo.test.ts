import { Repo as TheirRepo, MemoryBlockstore, WriteOpAction, verifyCommitSig } from '@atproto/repo'
import { Secp256k1Keypair as TheirKeypair } from '@atproto/crypto'
import { describe, expect, it } from 'vitest'
import { Secp256k1Keypair } from '../crypto/index.ts'
import { compareTids } from '../syntax/index.ts'
import {
  KeyExistsError,
  KeyNotFoundError,
  MemoryBlockStore,
  Mst,
  type RecordWrite,
  Repo,
  RepoError,
  decodeCommit,
  verifyCommitSignature,
} from './index.ts'
import { fromMf, prng, randInt, toMf } from './test-util.ts'

const did = 'did:plc:repotestaaaaaaaaaaaaaaaa'
const COLL = 'com.example.record'

function theirWrite(w: RecordWrite) {
  const action = { create: WriteOpAction.Create, update: WriteOpAction.Update, delete: WriteOpAction.Delete }[w.action]
  return w.action === 'delete'
    ? { action, collection: w.collection, rkey: w.rkey }
    : { action, collection: w.collection, rkey: w.rkey, record: w.record }
}

const cidStrs = (xs: Iterable<{ cid: { toString(): string } }>) => [...xs].map((b) => b.cid.toString()).sort()

describe('Repo', () => {
  it('commits match @atproto/repo formatCommit: data root, new blocks, event blocks, ops', async () => {
    const rnd = prng(31)
    const keypair = Secp256k1Keypair.create()
    const theirKey = await TheirKeypair.create()
    const initial: RecordWrite[] = Array.from({ length: 150 }, (_, i) => ({
      action: 'create',
      collection: COLL,
      rkey: `r${i}`,
      record: { $type: COLL, i },
    }))
    let ours = Repo.create(new MemoryBlockStore(), did, keypair, initial)
    let theirs = await TheirRepo.create(new MemoryBlockstore(), did, theirKey, initial.map(theirWrite) as never)
    expect(ours.commit.data.toString()).toBe(theirs.commit.data.toString())
    let next = 1000
    for (let round = 0; round < 25; round++) {
      const writes: RecordWrite[] = []
      const used = new Set<string>()
      for (let i = 0; i < 1 + randInt(rnd, 8); i++) {
        const r = rnd()
        const rkey = r < 0.4 ? `r${next++}` : `r${randInt(rnd, next)}`
        if (used.has(rkey)) continue
        const exists = ours.getRecordCid(COLL, rkey) !== null
        if (!exists && r >= 0.4) continue
        used.add(rkey)
        if (!exists) writes.push({ action: 'create', collection: COLL, rkey, record: { $type: COLL, n: next++ } })
        else if (r < 0.7) writes.push({ action: 'update', collection: COLL, rkey, record: { $type: COLL, n: next++ } })
        else writes.push({ action: 'delete', collection: COLL, rkey })
      }
      if (writes.length === 0) continue
      const mine = ours.formatCommit(writes, keypair)
      const their = await theirs.formatCommit(writes.map(theirWrite) as never, theirKey)
      expect(mine.prevData?.toString()).toBe(ours.commit.data.toString())
      expect(mine.since).toBe(ours.rev)
      expect(mine.prev?.toString()).toBe(ours.cid.toString())
      expect(compareTids(mine.rev, ours.rev)).toBeGreaterThan(0)
      const withoutCommit = (cids: string[], c: { toString(): string }) => cids.filter((x) => x !== c.toString())
      expect(withoutCommit(cidStrs(mine.newBlocks), mine.cid)).toEqual(
        withoutCommit(cidStrs(their.newBlocks.entries()), their.cid),
      )
      const theirEvent = new Set([...cidStrs(their.newBlocks.entries()), ...cidStrs(their.relevantBlocks.entries())])
      expect(withoutCommit(cidStrs(mine.eventBlocks), mine.cid)).toEqual(
        withoutCommit([...theirEvent].sort(), their.cid),
      )
      // Ops: in write order, cid for creates/updates, prev for updates/deletes.
      expect(mine.ops.map((o) => o.path)).toEqual(writes.map((w) => `${w.collection}/${w.rkey}`))
      for (const [i, op] of mine.ops.entries()) {
        expect(op.action).toBe(writes[i].action)
        const before = ours.getRecordCid(COLL, writes[i].rkey)
        expect(op.prev?.toString()).toBe(before?.toString())
        if (op.action === 'delete') expect(op.cid).toBeNull()
        else expect(mine.newBlocks.has(op.cid as never)).toBe(true)
      }
      const removedTheirs = their.removedCids.toList().map(String)
      for (const c of mine.removedNodes) expect(removedTheirs).toContain(c.toString())
      ours = ours.applyCommit(mine)
      theirs = await theirs.applyCommit(their)
      expect(ours.commit.data.toString()).toBe(theirs.commit.data.toString())
    }
    // The final state reloaded from the store is the same repository.
    const reloaded = Repo.load(ours.store as MemoryBlockStore)
    expect(reloaded.cid.toString()).toBe(ours.cid.toString())
    expect(reloaded.data.list().length).toBe(ours.data.list().length)
  })

  it('commits are signed v3 commits that @atproto/repo verifies', async () => {
    const keypair = Secp256k1Keypair.create()
    const store = new MemoryBlockStore()
    const repo = Repo.create(store, did, keypair)
    const { repo: next } = repo.applyWrites(
      [{ action: 'create', collection: COLL, rkey: 'a', record: { $type: COLL } }],
      keypair,
    )
    const commit = decodeCommit(store.get(next.cid) as Uint8Array)
    expect(commit.version).toBe(3)
    expect(commit.prev).toBeNull()
    expect(commit.did).toBe(did)
    expect(verifyCommitSignature(commit, keypair.did())).toBe(true)
    expect(verifyCommitSignature(commit, Secp256k1Keypair.create().did())).toBe(false)
    const mf = { ...commit, data: toMf(commit.data) }
    expect(await verifyCommitSig(mf as never, keypair.did())).toBe(true)
    expect(fromMf(mf.data).equals(commit.data)).toBe(true)
    expect(next.getRecord(COLL, 'a')?.value).toEqual({ $type: COLL })
  })

  it('rejects bad writes with clear errors', () => {
    const keypair = Secp256k1Keypair.create()
    const repo = Repo.create(new MemoryBlockStore(), did, keypair, [
      { action: 'create', collection: COLL, rkey: 'a', record: { $type: COLL } },
    ])
    const rec = { $type: COLL }
    expect(() => repo.formatCommit([{ action: 'create', collection: COLL, rkey: 'a', record: rec }], keypair)).toThrow(
      KeyExistsError,
    )
    expect(() => repo.formatCommit([{ action: 'update', collection: COLL, rkey: 'b', record: rec }], keypair)).toThrow(
      KeyNotFoundError,
    )
    expect(() => repo.formatCommit([{ action: 'delete', collection: COLL, rkey: 'b' }], keypair)).toThrow(
      KeyNotFoundError,
    )
    expect(() =>
      repo.formatCommit([{ action: 'create', collection: 'not an nsid', rkey: 'b', record: rec }], keypair),
    ).toThrow(/NSID/)
    expect(() => repo.formatCommit([{ action: 'create', collection: COLL, rkey: '..', record: rec }], keypair)).toThrow(
      /record key/,
    )
    expect(() => repo.formatCommit([{ action: 'create', collection: COLL, rkey: 'b', record: [1] }], keypair)).toThrow(
      /not an object/,
    )
    expect(() =>
      repo.formatCommit(
        [
          { action: 'create', collection: COLL, rkey: 'b', record: rec },
          { action: 'delete', collection: COLL, rkey: 'b' },
        ],
        keypair,
      ),
    ).toThrow(/more than one write/)
    expect(() => repo.formatCommit([], keypair, { rev: repo.rev })).toThrow(RepoError)
    // Two commits formatted from the same state: the store takes the first and refuses the second.
    const c1 = repo.formatCommit([{ action: 'create', collection: COLL, rkey: 'x', record: rec }], keypair)
    const c2 = repo.formatCommit([{ action: 'create', collection: COLL, rkey: 'y', record: rec }], keypair)
    const after = repo.applyCommit(c1)
    expect(() => repo.applyCommit(c2)).toThrow(/does not follow/)
    expect(after.getRecordCid(COLL, 'x')).not.toBeNull()
  })

  it('lists records of a collection with cursors', () => {
    const keypair = Secp256k1Keypair.create()
    const writes: RecordWrite[] = []
    for (let i = 0; i < 50; i++)
      writes.push({
        action: 'create',
        collection: COLL,
        rkey: `k${String(i).padStart(2, '0')}`,
        record: { $type: COLL, i },
      })
    writes.push({
      action: 'create',
      collection: 'com.example.other',
      rkey: 'x',
      record: { $type: 'com.example.other' },
    })
    const repo = Repo.create(new MemoryBlockStore(), did, keypair, writes)
    const page = repo.listRecords(COLL, { limit: 10, after: 'k05' })
    expect(page.map((r) => r.rkey)).toEqual(['k06', 'k07', 'k08', 'k09', 'k10', 'k11', 'k12', 'k13', 'k14', 'k15'])
    expect(page[0].value).toEqual({ $type: COLL, i: 6 })
    expect(repo.listRecords(COLL, { reverse: true, limit: 2 }).map((r) => r.rkey)).toEqual(['k49', 'k48'])
    expect(repo.listRecords(COLL, { reverse: true, before: 'k02' }).map((r) => r.rkey)).toEqual(['k01', 'k00'])
    expect(repo.listRecords('com.example.other').length).toBe(1)
    expect(Mst.load(repo.store, repo.commit.data).list().length).toBe(51)
  })
})
