/**
 * In-memory MST nodes. A node is immutable once built: updates make new nodes that share every untouched
 * subtree with the old ones. A node read from a block store starts as a stub (CID and height only) and is
 * decoded the first time something needs its entries; a node built in memory has no CID until one is asked
 * for, so a batch of writes hashes each touched node once, at the end.
 *
 * Layout: `keys[i]`/`vals[i]` are the entries; `subs` has keys.length + 1 slots, `subs[0]` the left-most
 * subtree (`l`) and `subs[i + 1]` the subtree right of key i (`t`). Heights are assigned from the parent
 * (child = parent - 1), never re-derived from hashes here.
 */
import { type CID, cidForCbor } from '../data/index.ts'
import type { ReadableBlockStore } from './blockstore.ts'
import { MissingBlockError, RepoVerificationError } from './errors.ts'
import { type NodeData, decodeNode, encodeNode } from './node-codec.ts'

export class MstNode {
  /** 0 for the layer holding the lowest keys. */
  readonly height: number
  /** null until a stub is loaded. */
  keys: string[] | null
  vals: CID[]
  subs: (MstNode | null)[]
  /** null until hashed (new nodes). */
  cid: CID | null
  /** Encoded form, kept for nodes we built (they are the new blocks of a commit); null for loaded ones. */
  bytes: Uint8Array | null

  private constructor(height: number, keys: string[] | null, vals: CID[], subs: (MstNode | null)[], cid: CID | null) {
    this.height = height
    this.keys = keys
    this.vals = vals
    this.subs = subs
    this.cid = cid
    this.bytes = null
  }

  /** A node known only by its CID, loaded on first use. */
  static stub(cid: CID, height: number): MstNode {
    return new MstNode(height, null, EMPTY_VALS, EMPTY_SUBS, cid)
  }

  /** A new in-memory node; `subs` must have keys.length + 1 slots. */
  static build(height: number, keys: string[], vals: CID[], subs: (MstNode | null)[]): MstNode {
    return new MstNode(height, keys, vals, subs, null)
  }

  static empty(): MstNode {
    return new MstNode(0, [], [], [null], null)
  }

  get loaded(): boolean {
    return this.keys !== null
  }

  /** True for a node with no entries and no subtree (only valid as the root of an empty tree). */
  get isEmpty(): boolean {
    return this.keys !== null && this.keys.length === 0 && this.subs[0] === null
  }

  /** Decodes a stub from the store (once); returns this node for chaining. */
  load(store: ReadableBlockStore): this {
    if (this.keys !== null) return this
    const cid = this.cid as CID
    const bytes = store.get(cid)
    if (bytes === undefined) throw new MissingBlockError(cid, 'MST node')
    this.fill(bytes)
    return this
  }

  /** Fills a stub from its block bytes (already known to hash to its CID). */
  fill(bytes: Uint8Array): void {
    this.fillFrom(decodeNode(bytes))
  }

  /** Fills a stub from its decoded node. */
  fillFrom(data: NodeData): void {
    const h = this.height - 1
    const subs = new Array<MstNode | null>(data.subs.length)
    for (let i = 0; i < subs.length; i++) {
      const c = data.subs[i]
      if (c === null) subs[i] = null
      else if (h < 0) throw new RepoVerificationError('bad-structure', `MST node ${this.cid} at height 0 has a subtree`)
      else subs[i] = MstNode.stub(c, h)
    }
    this.vals = data.vals
    this.subs = subs
    this.keys = data.keys
  }

  /** The node's CID, encoding and hashing it (and any unhashed children) if needed. */
  getCid(): CID {
    if (this.cid !== null) return this.cid
    const subs = this.subs
    const links = new Array<CID | null>(subs.length)
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i]
      links[i] = s === null ? null : s.getCid()
    }
    const bytes = encodeNode(this.keys as string[], this.vals, links)
    this.bytes = bytes
    this.cid = cidForCbor(bytes)
    return this.cid
  }
}

const EMPTY_VALS: CID[] = []
const EMPTY_SUBS: (MstNode | null)[] = []

/** First index whose key is >= key (keys.length if none). */
export function searchKeys(keys: readonly string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (keys[mid] < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The block of a node: its own encoding if we built it, else the stored bytes. */
export function nodeBlock(node: MstNode, store: ReadableBlockStore): { cid: CID; bytes: Uint8Array } {
  const cid = node.getCid()
  const bytes = node.bytes ?? store.get(cid)
  if (bytes === undefined) throw new MissingBlockError(cid, 'MST node')
  return { cid, bytes }
}

/**
 * Drops the encoded bytes of built nodes once a store holds them. Built nodes are exactly the ones with
 * bytes, and a built node's parent is built too, so the walk stays on the new part of the tree.
 */
export function releaseBuiltBytes(root: MstNode): void {
  const stack = [root]
  while (stack.length > 0) {
    const node = stack.pop() as MstNode
    if (node.bytes === null) continue
    node.bytes = null
    for (const s of node.subs) if (s !== null && s.bytes !== null) stack.push(s)
  }
}
