import { describe, expect, it } from 'vitest'
import { type NodeData, decodeNodeFast, decodeNodeGeneric, encodeNode } from './node-codec.ts'
import { prng, randInt, randomKeys, recordCid } from './test-util.ts'

/** A comparable string form of a decoded node (CIDs as strings). */
const show = (n: NodeData) => JSON.stringify({ k: n.keys, v: n.vals.map(String), s: n.subs.map((c) => c && String(c)) })

function outcome(f: () => NodeData): { ok: string } | { err: string } {
  try {
    return { ok: show(f()) }
  } catch (err) {
    return { err: (err as Error).message }
  }
}

describe('decodeNodeFast', () => {
  const rnd = prng(11)
  const nodes: Uint8Array[] = []
  for (let c = 0; c < 100; c++) {
    const keys = randomKeys(rnd, randInt(rnd, 24)).sort()
    const vals = keys.map(() => recordCid(randInt(rnd, 1e9)))
    const subs = [null, ...keys].map(() => (rnd() < 0.4 ? recordCid(randInt(rnd, 1e9)) : null))
    nodes.push(encodeNode(keys, vals, subs))
  }

  it('reads every encoded node exactly as the generic decoder does', () => {
    for (const bytes of nodes) {
      const fast = decodeNodeFast(bytes)
      expect(fast).not.toBeNull()
      expect(show(fast as NodeData)).toBe(show(decodeNodeGeneric(bytes)))
    }
  })

  it('never accepts what the generic decoder rejects, and agrees with it on what it accepts', () => {
    let rejected = 0
    for (const bytes of nodes) {
      for (let m = 0; m < 60; m++) {
        const mutated = bytes.slice()
        const at = randInt(rnd, mutated.length)
        mutated[at] = rnd() < 0.5 ? mutated[at] ^ (1 << randInt(rnd, 8)) : randInt(rnd, 256)
        const cut = rnd() < 0.1 ? mutated.subarray(0, randInt(rnd, mutated.length)) : mutated
        const fast = decodeNodeFast(cut)
        const generic = outcome(() => decodeNodeGeneric(cut))
        if (fast !== null) expect({ ok: show(fast) }).toEqual(generic)
        else if ('err' in (generic as object)) rejected++
      }
    }
    expect(rejected).toBeGreaterThan(0)
  })
})
