import { DataDiff, MST, MemoryBlockstore } from '@atproto/repo'
import { describe, expect, it } from 'vitest'
import type { CID } from '../data/index.ts'
import { MemoryBlockStore, Mst, type ReadableBlockStore, diffMst } from './index.ts'
import { prng, randInt, randomKeys, recordCid, toMf } from './test-util.ts'

/** A store that counts reads, to check that diffs skip shared subtrees. */
class CountingStore implements ReadableBlockStore {
  reads = 0
  constructor(private readonly inner: MemoryBlockStore) {}
  get(cid: CID) {
    this.reads++
    return this.inner.get(cid)
  }
  has(cid: CID) {
    return this.inner.has(cid)
  }
}

function persistInto(store: MemoryBlockStore, mst: Mst): void {
  for (const b of diffMst(null, mst).newNodes) if (!store.has(b.cid)) store.put(b.cid, b.bytes)
}

const strs = (cids: { toString(): string }[]) => cids.map(String).sort()

describe('diffMst', () => {
  it('agrees with @atproto/repo DataDiff on random edits (both directions)', async () => {
    const rnd = prng(21)
    for (let c = 0; c < 40; c++) {
      const keys = randomKeys(rnd, 20 + randInt(rnd, 150))
      let ours = Mst.empty(new MemoryBlockStore())
      let theirs = await MST.create(new MemoryBlockstore())
      let n = 0
      const live: string[] = []
      for (const k of keys.slice(0, keys.length - 10)) {
        const v = recordCid(n++)
        ours = ours.add(k, v)
        theirs = await theirs.add(k, toMf(v))
        live.push(k)
      }
      const oursBefore = ours
      const theirsBefore = theirs
      for (let i = 0; i < 1 + randInt(rnd, 12); i++) {
        const r = rnd()
        const v = recordCid(n++)
        if (r < 0.4) {
          const k = keys[keys.length - 10 + randInt(rnd, 10)]
          if (ours.get(k)) continue
          ours = ours.add(k, v)
          theirs = await theirs.add(k, toMf(v))
        } else {
          const k = live[randInt(rnd, live.length)]
          if (!ours.get(k)) continue
          if (r < 0.7) {
            ours = ours.update(k, v)
            theirs = await theirs.update(k, toMf(v))
          } else {
            ours = ours.delete(k)
            theirs = await theirs.delete(k)
          }
        }
      }
      for (const [a, b, ta, tb] of [
        [oursBefore, ours, theirsBefore, theirs],
        [ours, oursBefore, theirs, theirsBefore],
      ] as const) {
        const d = diffMst(a, b)
        const t = await DataDiff.of(tb, ta)
        expect(d.creates.map((e) => `${e.key} ${e.cid}`).sort()).toEqual(
          t
            .addList()
            .map((e) => `${e.key} ${e.cid}`)
            .sort(),
        )
        expect(d.updates.map((e) => `${e.key} ${e.prev} ${e.cid}`).sort()).toEqual(
          t
            .updateList()
            .map((e) => `${e.key} ${e.prev} ${e.cid}`)
            .sort(),
        )
        expect(d.deletes.map((e) => `${e.key} ${e.prev}`).sort()).toEqual(
          t
            .deleteList()
            .map((e) => `${e.key} ${e.cid}`)
            .sort(),
        )
        expect(strs(d.newNodes.map((b) => b.cid))).toEqual(strs(t.newMstBlocks.cids()))
        const removedLeaves = new Set([...d.updates, ...d.deletes].map((e) => e.prev.toString()))
        expect(strs(d.removedNodes)).toEqual(strs(t.removedCids.toList()).filter((c) => !removedLeaves.has(c)))
      }
    }
  })

  it('a full diff from nothing lists every key and node', () => {
    const rnd = prng(22)
    const keys = randomKeys(rnd, 300)
    let mst = Mst.empty(new MemoryBlockStore())
    for (const [i, k] of keys.entries()) mst = mst.add(k, recordCid(i))
    const d = diffMst(null, mst)
    expect(d.creates.map((e) => e.key)).toEqual([...keys].sort())
    expect(d.newNodes.length).toBe([...mst.nodes()].length)
    expect(d.removedNodes).toEqual([])
  })

  it('reads only the changed paths of large stored trees', () => {
    const rnd = prng(23)
    const base = new MemoryBlockStore()
    let mst = Mst.empty(base)
    const keys = randomKeys(rnd, 3000)
    for (const [i, k] of keys.entries()) mst = mst.add(k, recordCid(i))
    persistInto(base, mst)
    const counting = new CountingStore(base)
    const before = Mst.load(counting, mst.rootCid())
    const after = before.add('com.example.record/3zzzzzzzzzzzz', recordCid(-1)).delete(keys[7])
    persistInto(base, after)
    counting.reads = 0
    const d = diffMst(Mst.load(counting, before.rootCid()), Mst.load(counting, after.rootCid()))
    expect(d.creates.length).toBe(1)
    expect(d.deletes.length).toBe(1)
    // The tree has thousands of nodes; a two-key diff touches a few paths (height ~6) on each side.
    expect(counting.reads).toBeLessThan(60)
  })
})
