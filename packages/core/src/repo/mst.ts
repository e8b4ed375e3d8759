/**
 * The Merkle Search Tree of a repository: an immutable handle on a root node. Edits return a new Mst that
 * shares unchanged subtrees with the old one; nothing is hashed until `rootCid()` is asked for, so a batch
 * of edits serializes each touched node once. Nodes are read from the block store only when an operation
 * reaches them, and stay decoded in memory for as long as the tree handle is alive.
 *
 * Edits validate keys (see keys.ts) but trust the stored tree; verification of untrusted trees is in
 * verify.ts.
 */
import type { CID } from '../data/index.ts'
import type { ReadableBlockStore } from './blockstore.ts'
import { KeyExistsError, MissingBlockError, RepoVerificationError } from './errors.ts'
import { ensureValidMstKey, keyHeight } from './keys.ts'
import { type NodeData, decodeNode } from './node-codec.ts'
import { MstNode, searchKeys } from './node.ts'
import { chainTo, insertInto, removeFrom, replaceIn, splitAround } from './mst-write.ts'

export interface MstEntry {
  key: string
  cid: CID
}

export interface ListOptions {
  /** Only keys starting with this (e.g. `app.bsky.feed.post/`). */
  prefix?: string
  /** Exclusive lower bound. */
  after?: string
  /** Exclusive upper bound. */
  before?: string
  /** Walk from the highest key down. */
  reverse?: boolean
  limit?: number
}

export class Mst {
  private constructor(
    readonly store: ReadableBlockStore,
    readonly root: MstNode,
  ) {}

  static empty(store: ReadableBlockStore): Mst {
    return new Mst(store, MstNode.empty())
  }

  /** Opens the tree whose root node is `cid` (reads the root block; everything else on demand). */
  static load(store: ReadableBlockStore, cid: CID): Mst {
    const [height, data] = rootHeight(store, cid)
    const root = MstNode.stub(cid, height)
    root.fillFrom(data)
    return new Mst(store, root)
  }

  /** Wraps an existing root node (used by the verifier and the inversion check). */
  static fromRoot(store: ReadableBlockStore, root: MstNode): Mst {
    return new Mst(store, root)
  }

  /** CID of the root node; hashes the nodes built since the last call. */
  rootCid(): CID {
    return this.root.getCid()
  }

  get height(): number {
    return this.root.height
  }

  get(key: string): CID | null {
    let node: MstNode | null = this.root
    while (node !== null) {
      const keys = node.load(this.store).keys as string[]
      const i = searchKeys(keys, key)
      if (i < keys.length && keys[i] === key) return node.vals[i]
      node = node.subs[i]
    }
    return null
  }

  has(key: string): boolean {
    return this.get(key) !== null
  }

  /** Adds a new key. Throws KeyExistsError, InvalidMstKeyError. */
  add(key: string, cid: CID): Mst {
    ensureValidMstKey(key)
    const kh = keyHeight(key)
    const root = this.root.load(this.store)
    if (root.isEmpty) return new Mst(this.store, chainTo(kh, key, kh, cid))
    if (kh <= root.height) return new Mst(this.store, insertInto(root, key, kh, cid, this.store))
    // The key sits above the current root: split the whole tree around it and add layers up to kh.
    let [l, r] = splitAround(root, key, this.store)
    for (let h = root.height + 1; h < kh; h++) {
      if (l) l = MstNode.build(h, [], [], [l])
      if (r) r = MstNode.build(h, [], [], [r])
    }
    return new Mst(this.store, MstNode.build(kh, [key], [cid], [l, r]))
  }

  /** Changes the value of an existing key. Throws KeyNotFoundError. */
  update(key: string, cid: CID): Mst {
    ensureValidMstKey(key)
    return new Mst(this.store, replaceIn(this.root, key, cid, this.store))
  }

  /** Removes a key. Throws KeyNotFoundError. */
  delete(key: string): Mst {
    ensureValidMstKey(key)
    let root = removeFrom(this.root, key, this.store) ?? MstNode.empty()
    // A root left with only a subtree is replaced by it, until the root holds a key (or the tree is empty).
    while ((root.keys as string[]).length === 0 && root.subs[0] !== null) root = root.subs[0].load(this.store)
    return new Mst(this.store, root)
  }

  /** Adds or updates (cid) or deletes (null); returns this tree unchanged when there is nothing to do. */
  set(key: string, cid: CID | null): Mst {
    const cur = this.get(key)
    if (cid === null) return cur === null ? this : this.delete(key)
    if (cur === null) return this.add(key, cid)
    return cur.equals(cid) ? this : this.update(key, cid)
  }

  /** Entries in key order (or reverse), within the given bounds. */
  *entries(opts: ListOptions = {}): Generator<MstEntry> {
    yield* walkEntries(this, opts)
  }

  list(opts: ListOptions = {}): MstEntry[] {
    const out: MstEntry[] = []
    for (const e of walkEntries(this, opts)) out.push(e)
    return out
  }

  /** Every node, root first then depth-first in key order (loads the whole tree). */
  *nodes(): Generator<MstNode> {
    const stack: MstNode[] = [this.root]
    while (stack.length > 0) {
      const node = (stack.pop() as MstNode).load(this.store)
      yield node
      for (let i = node.subs.length - 1; i >= 0; i--) {
        const s = node.subs[i]
        if (s) stack.push(s)
      }
    }
  }

  /** Throws KeyExistsError if key is present (cheap pre-check for creates). */
  assertAbsent(key: string): void {
    if (this.get(key) !== null) throw new KeyExistsError(key)
  }
}

/**
 * Height of a stored root (and the root's decoded node): the height of its first key; a root without keys sits one above its left
 * subtree; an empty node is height 0. Bounded by the hash height limit so a hostile chain cannot loop.
 */
function rootHeight(store: ReadableBlockStore, cid: CID): [number, NodeData] {
  let depth = 0
  let cur: CID = cid
  let root: NodeData | undefined
  for (;;) {
    const bytes = store.get(cur)
    if (bytes === undefined) throw new MissingBlockError(cur, 'MST node')
    const data = decodeNode(bytes)
    root ??= data
    if (data.keys.length > 0) return [keyHeight(data.keys[0]) + depth, root]
    const l = data.subs[0]
    if (l === null) return [depth, root]
    if (++depth > 128) throw new RepoVerificationError('bad-structure', 'MST deeper than any key height allows')
    cur = l
  }
}

function* walkEntries(mst: Mst, opts: ListOptions): Generator<MstEntry> {
  const { prefix = '', after, before, reverse = false } = opts
  let limit = opts.limit ?? Number.POSITIVE_INFINITY
  if (limit <= 0) return
  // Everything becomes an inclusive lower bound and an exclusive upper bound. Keys never contain '\0',
  // so the first key after `after` is >= after + '\0'; keys with the prefix are below the prefix with its
  // last character incremented.
  let lo = prefix
  if (after !== undefined && `${after}\0` > lo) lo = `${after}\0`
  let hi = before
  if (prefix.length > 0) {
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
    if (hi === undefined || end < hi) hi = end
  }
  if (hi !== undefined && lo >= hi) return
  const store = mst.store
  // Each frame: a node and its next step; step 2i visits subs[i], step 2i+1 visits entry i.
  const nodes: MstNode[] = []
  const steps: number[] = []
  const push = (node: MstNode): void => {
    const keys = node.load(store).keys as string[]
    nodes.push(node)
    if (!reverse) steps.push(2 * searchKeys(keys, lo))
    else steps.push(hi === undefined ? 2 * keys.length : 2 * searchKeys(keys, hi))
  }
  push(mst.root)
  while (nodes.length > 0) {
    const top = nodes.length - 1
    const node = nodes[top]
    const step = steps[top]
    if (step < 0 || step > 2 * (node.keys as string[]).length) {
      nodes.pop()
      steps.pop()
      continue
    }
    steps[top] = reverse ? step - 1 : step + 1
    if ((step & 1) === 0) {
      const sub = node.subs[step >> 1]
      if (sub) push(sub)
      continue
    }
    const i = step >> 1
    const key = (node.keys as string[])[i]
    if (reverse ? key < lo : hi !== undefined && key >= hi) return
    yield { key, cid: node.vals[i] }
    if (--limit <= 0) return
  }
}
