import { readFileSync } from 'node:fs'
import { MST, MemoryBlockstore } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import { type CID, encodeCbor } from '../data/index.ts'
import { KeyExistsError, KeyNotFoundError, MemoryBlockStore, Mst, diffMst, encodeNode } from './index.ts'
import { prng, randInt, randomKeys, recordCid, shuffle, toMf } from './test-util.ts'

const exampleKeys = readFileSync(new URL('../../../../test-vectors/mst/example_keys.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)

/** Builds an in-memory tree from entries, in the given order. */
function build(entries: [string, CID][]): Mst {
  let mst = Mst.empty(new MemoryBlockStore())
  for (const [k, v] of entries) mst = mst.add(k, v)
  return mst
}

async function theirRoot(entries: [string, CID][]): Promise<string> {
  let mst = await MST.create(new MemoryBlockstore())
  for (const [k, v] of entries) mst = await mst.add(k, toMf(v))
  return (await mst.getPointer()).toString()
}

/** Stores every node of a tree in a fresh store so it can be re-opened with Mst.load. */
function persist(mst: Mst): MemoryBlockStore {
  const store = new MemoryBlockStore()
  for (const b of diffMst(null, mst).newNodes) store.put(b.cid, b.bytes)
  return store
}

describe('Mst', () => {
  it('the empty tree is the empty node', () => {
    const mst = Mst.empty(new MemoryBlockStore())
    expect(mst.rootCid().toString()).toBe('bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm')
  })

  it('example keys: same root as @atproto/repo, in any insertion order', async () => {
    const entries: [string, CID][] = exampleKeys.map((k, i) => [k, recordCid(i)])
    const expected = await theirRoot(entries)
    const rnd = prng(1)
    for (let round = 0; round < 5; round++) {
      expect(build(shuffle(rnd, entries)).rootCid().toString()).toBe(expected)
    }
  })

  it('random key sets: same root as @atproto/repo (200 cases)', async () => {
    const rnd = prng(2)
    for (let c = 0; c < 200; c++) {
      const n = randInt(rnd, c < 20 ? 8 : 120)
      const entries: [string, CID][] = randomKeys(rnd, n).map((k) => [k, recordCid(randInt(rnd, 1e9))])
      const ours = build(shuffle(rnd, entries)).rootCid().toString()
      expect(ours, `case ${c}, ${n} keys`).toBe(await theirRoot(entries))
    }
  })

  it('random add/update/delete sequences match @atproto/repo step by step', async () => {
    const rnd = prng(3)
    for (let c = 0; c < 30; c++) {
      let ours = Mst.empty(new MemoryBlockStore())
      let theirs = await MST.create(new MemoryBlockstore())
      const live = new Map<string, CID>()
      const pool = randomKeys(rnd, 60)
      for (let step = 0; step < 60; step++) {
        const key = pool[randInt(rnd, pool.length)]
        const cid = recordCid(randInt(rnd, 1e9))
        if (!live.has(key)) {
          ours = ours.add(key, cid)
          theirs = await theirs.add(key, toMf(cid))
          live.set(key, cid)
        } else if (rnd() < 0.5) {
          ours = ours.update(key, cid)
          theirs = await theirs.update(key, toMf(cid))
          live.set(key, cid)
        } else {
          ours = ours.delete(key)
          theirs = await theirs.delete(key)
          live.delete(key)
        }
        if (step % 7 === 0) expect(ours.rootCid().toString()).toBe((await theirs.getPointer()).toString())
      }
      const root = ours.rootCid().toString()
      expect(root).toBe((await theirs.getPointer()).toString())
      // Order independence: rebuilding the final key set from scratch gives the same root.
      expect(
        build(shuffle(rnd, [...live]))
          .rootCid()
          .toString(),
      ).toBe(root)
    }
  })

  it('edits on a stored tree load nodes lazily and agree with in-memory edits', () => {
    const rnd = prng(4)
    const entries: [string, CID][] = randomKeys(rnd, 500).map((k, i) => [k, recordCid(i)])
    const mem = build(entries)
    const store = persist(mem)
    let stored = Mst.load(store, mem.rootCid())
    let inMem = mem
    for (const [k] of shuffle(rnd, entries).slice(0, 200)) {
      stored = stored.delete(k)
      inMem = inMem.delete(k)
    }
    expect(stored.rootCid().equals(inMem.rootCid())).toBe(true)
    const kept = new Map(entries)
    for (const e of stored.entries()) expect(kept.get(e.key)?.equals(e.cid)).toBe(true)
    expect(stored.list().length).toBe(300)
  })

  it('deleting everything gives the empty tree back', () => {
    const rnd = prng(5)
    const entries: [string, CID][] = randomKeys(rnd, 200).map((k, i) => [k, recordCid(i)])
    let mst = build(entries)
    for (const [k] of shuffle(rnd, entries)) mst = mst.delete(k)
    expect(mst.rootCid().toString()).toBe(Mst.empty(new MemoryBlockStore()).rootCid().toString())
  })

  it('get, set and errors', () => {
    const a = recordCid(1)
    const b = recordCid(2)
    let mst = build([['com.example.record/aaa', a]])
    expect(mst.get('com.example.record/aaa')?.equals(a)).toBe(true)
    expect(mst.get('com.example.record/bbb')).toBeNull()
    expect(() => mst.add('com.example.record/aaa', b)).toThrow(KeyExistsError)
    expect(() => mst.update('com.example.record/zzz', b)).toThrow(KeyNotFoundError)
    expect(() => mst.delete('com.example.record/zzz')).toThrow(KeyNotFoundError)
    expect(() => mst.add('bad key', b)).toThrow(/not a valid MST key/)
    const before = mst.rootCid()
    expect(mst.set('com.example.record/aaa', a)).toBe(mst)
    mst = mst.set('com.example.record/aaa', b)
    expect(mst.get('com.example.record/aaa')?.equals(b)).toBe(true)
    mst = mst.set('com.example.record/aaa', a)
    expect(mst.rootCid().equals(before)).toBe(true)
    expect(mst.set('com.example.record/aaa', null).list()).toEqual([])
  })

  it('list: prefix, after, before, reverse, limit', () => {
    const rnd = prng(6)
    const entries: [string, CID][] = randomKeys(rnd, 400).map((k, i) => [k, recordCid(i)])
    const mst = persistAndLoad(build(entries))
    const sorted = entries.map(([k]) => k).sort()
    expect(mst.list().map((e) => e.key)).toEqual(sorted)
    expect(mst.list({ reverse: true }).map((e) => e.key)).toEqual([...sorted].reverse())
    for (let c = 0; c < 100; c++) {
      const prefix = rnd() < 0.5 ? `${sorted[randInt(rnd, sorted.length)].split('/')[0]}/` : undefined
      const after = rnd() < 0.5 ? sorted[randInt(rnd, sorted.length)] : undefined
      const before = rnd() < 0.5 ? sorted[randInt(rnd, sorted.length)].slice(0, 25) : undefined
      const reverse = rnd() < 0.5
      const limit = rnd() < 0.5 ? 1 + randInt(rnd, 30) : undefined
      let expected = sorted.filter(
        (k) =>
          (prefix === undefined || k.startsWith(prefix)) &&
          (after === undefined || k > after) &&
          (before === undefined || k < before),
      )
      if (reverse) expected.reverse()
      if (limit !== undefined) expected = expected.slice(0, limit)
      const got = mst.list({ prefix, after, before, reverse, limit }).map((e) => e.key)
      expect(got, JSON.stringify({ prefix, after, before, reverse, limit })).toEqual(expected)
    }
  })

  it('the node encoder writes exactly what the generic DAG-CBOR encoder writes', () => {
    const rnd = prng(7)
    for (let c = 0; c < 200; c++) {
      const keys = randomKeys(rnd, randInt(rnd, 12)).sort()
      const vals = keys.map(() => recordCid(randInt(rnd, 1e9)))
      const subs = [null, ...keys].map(() => (rnd() < 0.4 ? recordCid(randInt(rnd, 1e9)) : null))
      let prev = ''
      const e = keys.map((k, i) => {
        let p = 0
        while (p < prev.length && p < k.length && prev[p] === k[p]) p++
        prev = k
        return { p, k: new TextEncoder().encode(k.slice(p)), v: vals[i], t: subs[i + 1] }
      })
      expect(encodeNode(keys, vals, subs)).toEqual(encodeCbor({ e, l: subs[0] }))
    }
  })
})

function persistAndLoad(mst: Mst): Mst {
  return Mst.load(persist(mst), mst.rootCid())
}
