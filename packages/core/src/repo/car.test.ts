import {
  MemoryBlockstore,
  Repo as TheirRepo,
  WriteOpAction,
  getFullRepo,
  readCarWithRoot,
  verifyRepoCar as theirVerify,
} from '@atproto/repo'
import { Secp256k1Keypair as TheirKeypair } from '@atproto/crypto'
import { describe, expect, it } from 'vitest'
import { Secp256k1Keypair } from '../crypto/index.ts'
import { type CID, cidForCbor, decodeCbor, encodeBlock, encodeCbor, readCar, writeCarBytes } from '../data/index.ts'
import {
  MemoryBlockStore,
  type RecordWrite,
  Repo,
  RepoVerificationError,
  encodeCommit,
  exportRepoCar,
  exportRepoCarBytes,
  keyHeight,
  signCommit,
  verifyRepoCar,
  verifyRepoCarStream,
} from './index.ts'
import { prng, randInt } from './test-util.ts'

const did = 'did:plc:cartestaaaaaaaaaaaaaaaaa'
const COLL = 'com.example.record'
const keypair = Secp256k1Keypair.create()

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

function ourRepo(n: number): Repo {
  const rnd = prng(41)
  const writes: RecordWrite[] = Array.from({ length: n }, (_, i) => ({
    action: 'create',
    collection: i % 3 === 0 ? 'com.example.other' : COLL,
    rkey: `3k${(1e6 + randInt(rnd, 9e6)).toString(36)}${i}`,
    record: { $type: COLL, i, text: `record ${i}` },
  }))
  let repo = Repo.create(new MemoryBlockStore(), did, keypair, writes.slice(0, n / 2))
  repo = repo.applyWrites(writes.slice(n / 2), keypair).repo
  const upd = writes
    .slice(0, 20)
    .map((w) => ({ ...w, action: 'update' as const, record: { $type: COLL, updated: w.rkey } }))
  return repo.applyWrites(upd, keypair).repo
}

describe('CAR export and import', () => {
  it('our CAR loads and verifies with @atproto/repo, and with our verifier', async () => {
    const repo = ourRepo(400)
    const store = repo.store as MemoryBlockStore
    const car = await collect(exportRepoCar(store))
    expect(exportRepoCarBytes(store, repo.cid)).toEqual(car)
    const theirs = await theirVerify(car, did, keypair.did())
    expect(theirs.creates.length).toBe(400)
    expect(theirs.commit.cid.toString()).toBe(repo.cid.toString())
    const ours = verifyRepoCar(car, { did, signingKey: keypair.did() })
    expect(ours.entries.map((e) => e.key)).toEqual(repo.data.list().map((e) => e.key))
    expect(ours.entries.map((e) => e.key)).toEqual(theirs.creates.map((c) => `${c.collection}/${c.rkey}`).sort())
    const rec = [...ours.records()].find((r) => r.rkey === repo.data.list()[0].key.split('/')[1])
    expect(rec?.value).toEqual(repo.getRecord(rec?.collection as string, rec?.rkey as string)?.value)
    // Only reachable blocks: commit + nodes + records.
    const { blocks } = readCar(car)
    expect(blocks.size).toBe(1 + ours.nodes.length + 400)
  })

  it('exports in stream order: the commit first, every block after the block that links to it', () => {
    const repo = ourRepo(200)
    const { roots, blocks } = readCar(exportRepoCarBytes(repo.store, repo.cid))
    const order = [...blocks.keys()]
    expect(order[0]).toBe(roots[0].toString())
    const pos = new Map(order.map((c, i) => [c, i]))
    for (const [cid, bytes] of blocks) {
      const links: string[] = []
      const walk = (v: unknown): void => {
        if (v && typeof v === 'object' && 'bytes' in v && 'code' in v) links.push(String(v))
        else if (Array.isArray(v)) v.forEach(walk)
        else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) Object.values(v).forEach(walk)
      }
      walk(decodeCbor(bytes))
      for (const l of links) if (pos.has(l)) expect(pos.get(l) as number).toBeGreaterThan(pos.get(cid) as number)
    }
  })

  it('verifies CARs exported by @atproto/repo, streamed or whole', async () => {
    const theirKey = await TheirKeypair.create()
    const storage = new MemoryBlockstore()
    const writes = Array.from({ length: 250 }, (_, i) => ({
      action: WriteOpAction.Create as const,
      collection: COLL,
      rkey: `t${i}`,
      record: { $type: COLL, i, nested: { list: [1, 2, 3], text: 'x' } },
    }))
    let repo = await TheirRepo.create(storage, did, theirKey, writes.slice(0, 100))
    repo = await repo.applyWrites(writes.slice(100), theirKey)
    const car = await collect(getFullRepo(storage, repo.cid))
    const ours = verifyRepoCar(car, { did, signingKey: theirKey.did() })
    expect(ours.commitCid.toString()).toBe(repo.cid.toString())
    expect(ours.entries.length).toBe(250)
    const leaves = await repo.data.list()
    expect(ours.entries.map((e) => `${e.key} ${e.cid}`)).toEqual(leaves.map((l) => `${l.key} ${l.value}`))
    const chunks = async function* () {
      for (let i = 0; i < car.length; i += 1000) yield car.subarray(i, i + 1000)
    }
    const streamed = await verifyRepoCarStream(chunks(), { did, signingKey: theirKey.did() })
    expect(streamed.entries.length).toBe(250)
    const { root } = await readCarWithRoot(car)
    expect(root.toString()).toBe(ours.commitCid.toString())
  })
})

// ---- hostile CARs -------------------------------------------------------------------------------

const K = {
  a0: 'A0/374913',
  b0: 'B0/601692',
  c0: 'C0/451630',
  d0: 'D0/952776',
  b1: 'B1/986427',
  e1: 'E1/091396',
  c2: 'C2/014073',
}
const rec = encodeBlock({ $type: COLL, v: 1 })

interface RawEntry {
  key: string
  p?: number
  v?: CID
  t?: CID | null
}

/** Node bytes with full control over fields (prefix lengths canonical unless given). */
function rawNode(entries: RawEntry[], l: CID | null = null): { cid: CID; bytes: Uint8Array } {
  let prev = ''
  const e = entries.map((x) => {
    let p = 0
    while (p < prev.length && p < x.key.length && prev[p] === x.key[p]) p++
    if (x.p !== undefined) p = x.p
    const out = { p, k: new TextEncoder().encode(x.key.slice(p)), v: x.v ?? rec.cid, t: x.t ?? null }
    prev = x.key
    return out
  })
  const bytes = encodeCbor({ e, l })
  return { cid: cidForCbor(bytes), bytes }
}

function carWith(
  root: CID,
  blocks: { cid: CID; bytes: Uint8Array }[],
  opts: { rev?: string; signer?: Secp256k1Keypair; did?: string } = {},
): Uint8Array {
  const commit = signCommit(
    { did: opts.did ?? did, version: 3, data: root, rev: opts.rev ?? '3kaaaaaaaaaa2', prev: null },
    opts.signer ?? keypair,
  )
  const commitBlock = opts.rev && opts.rev.length !== 13 ? encodeBlock({ ...commit }) : encodeCommit(commit)
  return writeCarBytes([commitBlock.cid], [commitBlock, ...blocks, rec])
}

function expectReject(car: Uint8Array, code: string, msg: RegExp, opts = { did, signingKey: keypair.did() }): void {
  let err: unknown
  try {
    verifyRepoCar(car, opts)
  } catch (e) {
    err = e
  }
  expect(err, `expected ${code}`).toBeInstanceOf(RepoVerificationError)
  expect((err as RepoVerificationError).code).toBe(code)
  expect((err as Error).message).toMatch(msg)
}

describe('hostile CARs are rejected with a clear error', () => {
  it('sanity: a hand-built valid tree passes', () => {
    const left = rawNode([{ key: K.a0 }])
    const right = rawNode([{ key: K.c0 }, { key: K.d0 }])
    const root = rawNode([{ key: K.b1, t: right.cid }], left.cid)
    const ok = verifyRepoCar(carWith(root.cid, [root, left, right]), { did, signingKey: keypair.did() })
    expect(ok.entries.map((e) => e.key)).toEqual([K.a0, K.b1, K.c0, K.d0])
    // A height-2 root over a key-less height-1 node over the leaves is also canonical.
    const mid = rawNode([], left.cid)
    const top = rawNode([{ key: K.c2 }], mid.cid)
    expect(verifyRepoCar(carWith(top.cid, [top, mid, left])).entries.length).toBe(2)
  })

  it('wrong heights', () => {
    expect(keyHeight(K.b1)).toBe(1)
    const root = rawNode([{ key: K.a0 }, { key: K.b1 }])
    expectReject(carWith(root.cid, [root]), 'bad-structure', /height/)
    const child = rawNode([{ key: K.a0 }]) // a height-0 key one layer too high (the height-1 layer is skipped)
    const top = rawNode([{ key: K.c2 }], child.cid)
    expectReject(
      carWith(top.cid, [top, child]),
      'bad-structure',
      /A0\/374913 has height 0 but sits in a node at height 1/,
    )
  })

  it('unsorted and duplicate keys', () => {
    const unsorted = rawNode([{ key: K.c0 }, { key: K.a0 }])
    expectReject(carWith(unsorted.cid, [unsorted]), 'bad-structure', /increasing order/)
    const dup = rawNode([{ key: K.a0 }, { key: K.a0 }])
    expectReject(carWith(dup.cid, [dup]), 'bad-structure', /increasing order/)
  })

  it('keys outside the range their parent allows', () => {
    const leaf = rawNode([{ key: K.d0 }])
    const root = rawNode([{ key: K.b1, t: null }, { key: K.e1 }], leaf.cid) // d0 sits left of b1
    expectReject(carWith(root.cid, [root, leaf]), 'bad-structure', /outside/)
  })

  it('bad prefix compression', () => {
    const two: string[] = []
    for (let i = 0; two.length < 2; i++) if (keyHeight(`${COLL}/pre${i}`) === 0) two.push(`${COLL}/pre${i}`)
    two.sort()
    const nonCanon = rawNode([{ key: two[0] }, { key: two[1], p: 3 }])
    expectReject(carWith(nonCanon.cid, [nonCanon]), 'bad-structure', /prefix compression/)
    const tooLong = rawNode([{ key: two[0] }, { key: two[1], p: 40 }])
    expectReject(carWith(tooLong.cid, [tooLong]), 'bad-structure', /prefix length/)
    const first = rawNode([{ key: two[0], p: 1 }])
    expectReject(carWith(first.cid, [first]), 'bad-structure', /prefix/)
  })

  it('empty nodes, key-less roots, subtrees under height 0', () => {
    const empty = rawNode([])
    const root = rawNode([{ key: K.b1, t: empty.cid }])
    expectReject(carWith(root.cid, [root, empty]), 'bad-structure', /is empty/)
    const leaf = rawNode([{ key: K.a0 }])
    const keyless = rawNode([], leaf.cid)
    expectReject(carWith(keyless.cid, [keyless, leaf]), 'bad-structure', /no entries/)
    const under = rawNode([{ key: K.a0, t: leaf.cid }])
    expectReject(carWith(under.cid, [under, leaf]), 'bad-structure', /height 0 has a subtree/)
    // The empty tree itself is fine.
    expect(verifyRepoCar(carWith(empty.cid, [empty])).entries).toEqual([])
  })

  it('missing node and record blocks', () => {
    const leaf = rawNode([{ key: K.a0 }])
    const root = rawNode([{ key: K.b1 }], leaf.cid)
    expectReject(carWith(root.cid, [root]), 'missing-block', /missing MST node/)
    const other = encodeBlock({ $type: COLL, other: true })
    const lone = rawNode([{ key: K.a0, v: other.cid }])
    expectReject(carWith(lone.cid, [lone]), 'missing-block', /missing record block/)
    const commitless = writeCarBytes([rec.cid], [])
    expectReject(commitless, 'missing-block', /missing commit/)
  })

  it('a subtree reached twice (the nearest thing to a cycle hashes allow)', () => {
    const leaf = rawNode([{ key: K.a0 }])
    const root = rawNode([{ key: K.b1, t: leaf.cid }], leaf.cid)
    expectReject(carWith(root.cid, [root, leaf]), 'bad-structure', /reached twice|outside/)
  })

  it('huge nodes', () => {
    const keys: string[] = []
    for (let i = 0; keys.length < 1100; i++) {
      const k = `${COLL}/k${i}`
      if (keyHeight(k) === 0) keys.push(k)
    }
    const big = rawNode(keys.sort().map((key) => ({ key })))
    expectReject(carWith(big.cid, [big]), 'too-large', /1100 entries/)
  })

  it('bad commits: signature, DID, rev, version', () => {
    const leaf = rawNode([{ key: K.a0 }])
    expectReject(carWith(leaf.cid, [leaf], { signer: Secp256k1Keypair.create() }), 'bad-signature', /signature/)
    expectReject(carWith(leaf.cid, [leaf], { did: 'did:plc:someoneelseaaaaaaaaaaaa' }), 'wrong-did', /expected/)
    expectReject(carWith(leaf.cid, [leaf], { rev: 'not-a-tid' }), 'bad-rev', /rev/)
    const v2 = encodeBlock({
      did,
      version: 2,
      data: leaf.cid,
      rev: '3kaaaaaaaaaa2',
      prev: null,
      sig: new Uint8Array(64),
    })
    expectReject(writeCarBytes([v2.cid], [v2, leaf, rec]), 'bad-commit', /version 2/)
  })

  it('bad records', () => {
    const junk = new Uint8Array([0xff, 0x00])
    const junkCid = cidForCbor(junk)
    const node = rawNode([{ key: K.a0, v: junkCid }])
    expectReject(carWith(node.cid, [node, { cid: junkCid, bytes: junk }]), 'bad-record', /does not decode/)
    const list = encodeBlock([1, 2])
    const node2 = rawNode([{ key: K.a0, v: list.cid }])
    expectReject(carWith(node2.cid, [node2, list]), 'bad-record', /not a map/)
  })

  it('malformed CAR bytes and random corruption never crash', () => {
    expectReject(new Uint8Array([1, 2, 3]), 'bad-car', /CAR/)
    const small = ourRepo(60)
    const good = exportRepoCarBytes(small.store, small.cid)
    expectReject(good.subarray(0, good.length - 5), 'bad-car', /truncated/)
    const rnd = prng(42)
    for (let i = 0; i < 300; i++) {
      const bad = good.slice()
      for (let j = 0; j < 1 + randInt(rnd, 3); j++) bad[randInt(rnd, bad.length)] ^= 1 + randInt(rnd, 255)
      try {
        verifyRepoCar(bad, { did, signingKey: keypair.did() })
      } catch (err) {
        expect(err).toBeInstanceOf(RepoVerificationError)
      }
    }
  })
})
