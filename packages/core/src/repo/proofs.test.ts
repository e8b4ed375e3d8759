import { readFileSync } from 'node:fs'
import { MST, MemoryBlockstore, Repo as TheirRepo, WriteOpAction, getRecords, verifyProofs } from '@atproto/repo'
import { Secp256k1Keypair as TheirKeypair } from '@atproto/crypto'
import { describe, expect, it } from 'vitest'
import { Secp256k1Keypair } from '../crypto/index.ts'
import { CID } from '../data/index.ts'
import {
  type BlockMap,
  MemoryBlockStore,
  Mst,
  Repo,
  coveringProof,
  diffMst,
  recordProofCar,
  verifyRecordProofs,
} from './index.ts'
import { prng, randInt, randomKeys, recordCid, shuffle, toMf } from './test-util.ts'

interface Fixture {
  comment: string
  leafValue: string
  keys: string[]
  adds: string[]
  dels: string[]
  rootBeforeCommit: string
  rootAfterCommit: string
  blocksInProof: string[]
}

const fixtures: Fixture[] = JSON.parse(
  readFileSync(new URL('../../../../test-vectors/firehose/commit-proof-fixtures.json', import.meta.url), 'utf8'),
)

function permutations<T>(arr: T[]): T[][] {
  if (arr.length <= 1) return [arr]
  return arr.flatMap((x, i) => permutations([...arr.slice(0, i), ...arr.slice(i + 1)]).map((p) => [x, ...p]))
}

function storeOf(blocks: BlockMap): MemoryBlockStore {
  return new MemoryBlockStore(blocks)
}

describe('commit proof fixtures', () => {
  expect(fixtures.length).toBeGreaterThan(3)
  for (const f of fixtures) {
    it(f.comment, () => {
      const leaf = CID.parse(f.leafValue)
      let mst = Mst.empty(new MemoryBlockStore())
      for (const k of f.keys) mst = mst.add(k, leaf)
      expect(mst.rootCid().toString()).toBe(f.rootBeforeCommit)
      const before = mst
      for (const k of f.adds) mst = mst.add(k, leaf)
      for (const k of f.dels) mst = mst.delete(k)
      expect(mst.rootCid().toString()).toBe(f.rootAfterCommit)

      const proof = coveringProof(mst, [...f.adds, ...f.dels])
      expect(proof.cids().map(String).sort()).toEqual([...f.blocksInProof].sort())
      // Every new node of the commit is part of the proof.
      for (const b of diffMst(before, mst).newNodes) expect(proof.has(b.cid)).toBe(true)

      const inverse = [...f.adds.map((k) => (t: Mst) => t.delete(k)), ...f.dels.map((k) => (t: Mst) => t.add(k, leaf))]
      for (const order of permutations(inverse)) {
        let t = Mst.load(storeOf(proof), mst.rootCid())
        for (const fn of order) t = fn(t)
        expect(t.rootCid().toString()).toBe(f.rootBeforeCommit)
      }
    })
  }
})

describe('covering proofs', () => {
  it('equal @atproto/repo getCoveringProof for random trees and keys (present and absent)', async () => {
    const rnd = prng(11)
    for (let c = 0; c < 40; c++) {
      const keys = randomKeys(rnd, 5 + randInt(rnd, 100))
      let ours = Mst.empty(new MemoryBlockStore())
      let theirs = await MST.create(new MemoryBlockstore())
      for (const [i, k] of keys.entries()) {
        if (i % 5 === 4) continue // leave some keys out to probe absent ones
        ours = ours.add(k, recordCid(i))
        theirs = await theirs.add(k, toMf(recordCid(i)))
      }
      for (const k of shuffle(rnd, keys).slice(0, 5)) {
        const want = (await theirs.getCoveringProof(k)).cids().map(String).sort()
        expect(coveringProof(ours, [k]).cids().map(String).sort(), `case ${c} key ${k}`).toEqual(want)
      }
    }
  })
})

describe('record proofs', () => {
  it('our proofs (presence and absence) pass @atproto/repo verifyProofs; theirs pass ours', async () => {
    const rnd = prng(12)
    const keypair = Secp256k1Keypair.create()
    const did = 'did:plc:proofstestaaaaaaaaaaaaaa'
    const store = new MemoryBlockStore()
    const writes = Array.from({ length: 300 }, (_, i) => ({
      action: 'create' as const,
      collection: 'com.example.record',
      rkey: `k${i.toString().padStart(4, '0')}`,
      record: { $type: 'com.example.record', i },
    }))
    const repo = Repo.create(store, did, keypair, writes)
    for (let c = 0; c < 20; c++) {
      const picks = Array.from(
        { length: 1 + randInt(rnd, 4) },
        () => `k${randInt(rnd, 400).toString().padStart(4, '0')}`,
      )
      const claims = picks.map((rkey) => ({
        collection: 'com.example.record',
        rkey,
        cid: repo.getRecordCid('com.example.record', rkey),
      }))
      const car = recordProofCar(
        store,
        repo.cid,
        picks.map((r) => `com.example.record/${r}`),
      )
      const res = await verifyProofs(
        car,
        claims.map((cl) => ({ ...cl, cid: cl.cid ? toMf(cl.cid) : null })),
        did,
        keypair.did(),
      )
      expect(res.unverified).toEqual([])
      expect(res.verified.length).toBe(claims.length)
      const ourCheck = verifyRecordProofs(
        car,
        claims.map((cl) => ({ key: `${cl.collection}/${cl.rkey}`, cid: cl.cid })),
        did,
        keypair.did(),
      )
      expect(ourCheck.unverified).toEqual([])
      // A wrong claim is not verified.
      const wrong = verifyRecordProofs(
        car,
        claims.map((cl) => ({ key: `${cl.collection}/${cl.rkey}`, cid: cl.cid ? null : recordCid(1) })),
        did,
        keypair.did(),
      )
      expect(wrong.verified).toEqual([])
    }
    expect(() => verifyRecordProofs(recordProofCar(store, repo.cid, []), [], 'did:plc:other', keypair.did())).toThrow(
      /expected did:plc:other/,
    )
    const other = Secp256k1Keypair.create()
    expect(() => verifyRecordProofs(recordProofCar(store, repo.cid, []), [], did, other.did())).toThrow(/signature/)
  })

  it('verifies proofs made by @atproto/repo', async () => {
    const keypair = await TheirKeypair.create()
    const did = 'did:plc:theirproofsaaaaaaaaaaaaa'
    const storage = new MemoryBlockstore()
    const writes = Array.from({ length: 100 }, (_, i) => ({
      action: WriteOpAction.Create as const,
      collection: 'com.example.record',
      rkey: `r${i}`,
      record: { $type: 'com.example.record', i },
    }))
    const repo = await TheirRepo.create(storage, did, keypair, writes)
    const paths = [
      { collection: 'com.example.record', rkey: 'r5' },
      { collection: 'com.example.record', rkey: 'nope' },
    ]
    const chunks: Uint8Array[] = []
    for await (const chunk of getRecords(storage, repo.cid, paths)) chunks.push(chunk)
    const car = new Uint8Array(Buffer.concat(chunks))
    const r5 = await repo.data.get('com.example.record/r5')
    const res = verifyRecordProofs(
      car,
      [
        { key: 'com.example.record/r5', cid: CID.decode(new Uint8Array((r5 as { bytes: Uint8Array }).bytes)) },
        { key: 'com.example.record/nope', cid: null },
      ],
      did,
      keypair.did(),
    )
    expect(res.unverified).toEqual([])
  })
})
