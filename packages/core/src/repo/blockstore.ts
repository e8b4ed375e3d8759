/**
 * Block stores. Reads are synchronous on purpose: the MST decodes nodes lazily in its hot loops, and both
 * stores we ship (memory, and better-sqlite3 on the server) answer without I/O waits. A store that can
 * only read asynchronously should fetch the blocks it needs into a MemoryBlockStore first.
 *
 * Garbage collection: a store that persists a repository (`BlockStore.applyCommit`) keeps a reference
 * count per block — one per pointer from the current tree (MST node → child node, entry → record,
 * commit → root node) plus one for the head pointer to the current commit — and drops a block when its
 * count reaches zero. `refChanges` computes the count changes of one commit from its CommitData; the
 * counts stay exact because MST nodes are unique within a tree and record blocks are counted per key.
 */
import { type Block, CID } from '../data/index.ts'
import { RepoError } from './errors.ts'
import type { CommitData } from './types.ts'

export interface ReadableBlockStore {
  get(cid: CID): Uint8Array | undefined
  has(cid: CID): boolean
}

/** The head of a stored repository. */
export interface RepoRoot {
  cid: CID
  rev: string
}

/** A store holding one repository: its blocks and its current commit. */
export interface BlockStore extends ReadableBlockStore {
  getRoot(): RepoRoot | null
  /** Atomically: stores commit.newBlocks, applies refChanges(commit), drops unreferenced blocks, sets the root. */
  applyCommit(commit: CommitData): void
}

/** Reference-count changes of one commit, keyed by CID string. */
export function refChanges(commit: CommitData): Map<string, { cid: CID; delta: number }> {
  const out = new Map<string, { cid: CID; delta: number }>()
  const bump = (cid: CID, delta: number): void => {
    const k = cid.toString()
    const cur = out.get(k)
    if (cur) cur.delta += delta
    else out.set(k, { cid, delta })
  }
  bump(commit.cid, 1)
  if (commit.prev) bump(commit.prev, -1)
  for (const c of commit.newNodes) bump(c, 1)
  for (const c of commit.removedNodes) bump(c, -1)
  for (const op of commit.ops) {
    if (op.cid) bump(op.cid, 1)
    if (op.prev) bump(op.prev, -1)
  }
  return out
}

interface Entry {
  /** null for blocks taken from a CID-string map (parsed only if `entries()` needs it). */
  cid: CID | null
  bytes: Uint8Array
  refs: number
}

/**
 * Blocks in a Map. Blocks given to the constructor or `put` are pinned (never collected); blocks that
 * arrive through `applyCommit` are reference-counted like the SQLite store's.
 */
export class MemoryBlockStore implements BlockStore {
  private readonly blocks = new Map<string, Entry>()
  private root: RepoRoot | null = null

  /** Pinned initial blocks: a list, or the CID-string map `readCar` returns (used without copying bytes). */
  constructor(blocks?: Iterable<Block> | Map<string, Uint8Array>) {
    if (blocks instanceof Map) {
      for (const [k, bytes] of blocks) this.blocks.set(k, { cid: null, bytes, refs: Number.POSITIVE_INFINITY })
    } else if (blocks) for (const b of blocks) this.put(b.cid, b.bytes)
  }

  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cid.toString())?.bytes
  }

  has(cid: CID): boolean {
    return this.blocks.has(cid.toString())
  }

  /** Adds a pinned block. */
  put(cid: CID, bytes: Uint8Array): void {
    const k = cid.toString()
    const cur = this.blocks.get(k)
    if (cur) cur.refs = Number.POSITIVE_INFINITY
    else this.blocks.set(k, { cid, bytes, refs: Number.POSITIVE_INFINITY })
  }

  getRoot(): RepoRoot | null {
    return this.root
  }

  /** Like the SQLite store, refuses a commit that does not follow the current root (when there is one). */
  applyCommit(commit: CommitData): void {
    if (this.root !== null && !commit.prev?.equals(this.root.cid)) {
      throw new RepoError(`commit ${commit.cid} does not follow the stored root ${this.root.cid}`)
    }
    const added: string[] = []
    for (const b of commit.newBlocks) {
      const k = b.cid.toString()
      if (this.blocks.has(k)) continue
      this.blocks.set(k, { cid: b.cid, bytes: b.bytes, refs: 0 })
      added.push(k)
    }
    for (const [k, { delta }] of refChanges(commit)) {
      const e = this.blocks.get(k)
      if (!e) continue
      e.refs += delta
      if (e.refs <= 0) this.blocks.delete(k)
    }
    for (const k of added) if ((this.blocks.get(k)?.refs ?? 1) <= 0) this.blocks.delete(k)
    this.root = { cid: commit.cid, rev: commit.rev }
  }

  get size(): number {
    return this.blocks.size
  }

  /** Every block held, in insertion order. */
  *entries(): IterableIterator<Block> {
    for (const [k, e] of this.blocks) {
      e.cid ??= CID.parse(k)
      yield { cid: e.cid, bytes: e.bytes }
    }
  }
}
