/**
 * Difference between two trees: record creates/updates/deletes, and the MST nodes added and removed.
 *
 * Both trees are walked together in key order from their roots; two subtrees with the same CID hold the
 * same keys, so they are skipped without being read. Only nodes on changed paths are decoded, which makes
 * a diff after a small commit cost a few nodes per changed key, not the size of the repository.
 * A node opened on one side only because the two walks were out of step is opened on the other side too,
 * so node sets are compared by CID at the end: a node counts as new (removed) only if it is absent from
 * the other side.
 */
import type { Block, CID } from '../data/index.ts'
import type { Mst, MstEntry } from './mst.ts'
import { MstNode, nodeBlock } from './node.ts'

export interface MstDiff {
  creates: MstEntry[]
  updates: { key: string; prev: CID; cid: CID }[]
  deletes: { key: string; prev: CID }[]
  /** Nodes of the new tree that are not in the old one, with their bytes. */
  newNodes: Block[]
  /** Nodes of the old tree that are not in the new one. */
  removedNodes: CID[]
}

class Leaf {
  constructor(
    readonly key: string,
    readonly cid: CID,
  ) {}
}

type Item = MstNode | Leaf

/** Replaces a node on top of the stack by its children (in reverse, so the lowest key is on top). */
function expand(stack: Item[], mst: Mst, seen: Map<string, MstNode>): void {
  const node = (stack.pop() as MstNode).load(mst.store)
  seen.set(node.getCid().toString(), node)
  const keys = node.keys as string[]
  for (let i = keys.length; i >= 0; i--) {
    const s = node.subs[i]
    if (s) stack.push(s)
    if (i > 0) stack.push(new Leaf(keys[i - 1], node.vals[i - 1]))
  }
}

/** Changes that turn `prev` (null: the empty repository before the first commit) into `curr`. */
export function diffMst(prev: Mst | null, curr: Mst): MstDiff {
  const out: MstDiff = { creates: [], updates: [], deletes: [], newNodes: [], removedNodes: [] }
  curr.rootCid()
  const a: Item[] = prev ? [prev.root] : []
  const b: Item[] = [curr.root]
  const seenA = new Map<string, MstNode>()
  const seenB = new Map<string, MstNode>()
  while (a.length > 0 || b.length > 0) {
    const x = a[a.length - 1]
    const y = b[b.length - 1]
    if (x === undefined || y === undefined) {
      if (x instanceof MstNode) expand(a, prev as Mst, seenA)
      else if (x) out.deletes.push({ key: x.key, prev: (a.pop() as Leaf).cid })
      else if (y instanceof MstNode) expand(b, curr, seenB)
      else out.creates.push({ key: y.key, cid: (b.pop() as Leaf).cid })
      continue
    }
    if (x instanceof Leaf && y instanceof Leaf) {
      if (x.key === y.key) {
        if (!x.cid.equals(y.cid)) out.updates.push({ key: x.key, prev: x.cid, cid: y.cid })
        a.pop()
        b.pop()
      } else if (x.key < y.key) {
        out.deletes.push({ key: x.key, prev: x.cid })
        a.pop()
      } else {
        out.creates.push({ key: y.key, cid: y.cid })
        b.pop()
      }
    } else if (x instanceof MstNode && y instanceof MstNode) {
      if (x.getCid().equals(y.getCid())) {
        a.pop()
        b.pop()
      } else if (x.height > y.height) expand(a, prev as Mst, seenA)
      else if (y.height > x.height) expand(b, curr, seenB)
      else {
        expand(a, prev as Mst, seenA)
        expand(b, curr, seenB)
      }
    } else if (x instanceof MstNode) expand(a, prev as Mst, seenA)
    else expand(b, curr, seenB)
  }
  for (const [k, node] of seenB) if (!seenA.has(k)) out.newNodes.push(nodeBlock(node, curr.store))
  for (const [k, node] of seenA) if (!seenB.has(k)) out.removedNodes.push(node.getCid())
  return out
}
