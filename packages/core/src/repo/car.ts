/**
 * Whole-repository CAR files.
 *
 * Export streams the commit, then the tree in pre-order with records in key order: each MST node, then its
 * left subtree, then for each entry the record block followed by the entry's right subtree. Every block
 * comes after the block that links to it, and only the nodes on the current path are held in memory.
 *
 * Import reads the CAR (every block's hash is checked by the reader), takes its single root as the commit
 * and runs the full verification of verify.ts. Blocks the tree does not reach are kept but ignored.
 */
import {
  type Block,
  type CID,
  type CarReadOptions,
  type LexValue,
  decodeCbor,
  readCar,
  readCarStream,
  writeCar,
  writeCarBytes,
} from '../data/index.ts'
import { BlockMap } from './block-map.ts'
import { MemoryBlockStore, type ReadableBlockStore } from './blockstore.ts'
import { decodeCommit } from './commit.ts'
import { MissingBlockError, RepoVerificationError } from './errors.ts'
import { parseDataKey } from './keys.ts'
import { Mst, type MstEntry } from './mst.ts'
import { decodeNode } from './node-codec.ts'
import type { CommitData } from './types.ts'
import { type VerifiedTree, type VerifyRepoOptions, verifyRepoTree } from './verify.ts'

/** Blocks of the repository at `commitCid` in export order (see the module comment). */
export function* repoBlocks(store: ReadableBlockStore, commitCid: CID): Generator<Block> {
  const get = (cid: CID, what: string): Uint8Array => {
    const bytes = store.get(cid)
    if (bytes === undefined) throw new MissingBlockError(cid, what)
    return bytes
  }
  const commitBytes = get(commitCid, 'commit')
  yield { cid: commitCid, bytes: commitBytes }
  // Stack items: [cid, true] for a node, [cid, false] for a record.
  const stack: [CID, boolean][] = [[decodeCommit(commitBytes).data, true]]
  while (stack.length > 0) {
    const [cid, isNode] = stack.pop() as [CID, boolean]
    if (!isNode) {
      yield { cid, bytes: get(cid, 'record') }
      continue
    }
    const bytes = get(cid, 'MST node')
    yield { cid, bytes }
    const { vals, subs } = decodeNode(bytes)
    for (let i = vals.length; i >= 0; i--) {
      const s = subs[i]
      if (s !== null) stack.push([s, true])
      if (i > 0) stack.push([vals[i - 1], false])
    }
  }
}

/** Streams the repository as a CAR (root = the commit); defaults to the store's current commit. */
export function exportRepoCar(
  store: ReadableBlockStore & { getRoot?(): { cid: CID } | null },
  commitCid?: CID,
): AsyncIterable<Uint8Array> {
  const root = commitCid ?? store.getRoot?.()?.cid
  if (!root) throw new RepoVerificationError('missing-block', 'no commit given and the store has no root')
  return writeCar([root], repoBlocks(store, root))
}

/** The whole CAR in one buffer. */
export function exportRepoCarBytes(store: ReadableBlockStore, commitCid: CID): Uint8Array {
  return writeCarBytes([commitCid], repoBlocks(store, commitCid))
}

export interface RepoRecord {
  collection: string
  rkey: string
  cid: CID
  value: LexValue
}

/** A verified repository: its blocks, commit and records. */
export class VerifiedRepo implements VerifiedTree {
  readonly commitCid: CID
  readonly commit: VerifiedTree['commit']
  readonly entries: MstEntry[]
  readonly nodes: CID[]

  constructor(
    readonly store: MemoryBlockStore,
    tree: VerifiedTree,
  ) {
    this.commitCid = tree.commitCid
    this.commit = tree.commit
    this.entries = tree.entries
    this.nodes = tree.nodes
  }

  get did(): string {
    return this.commit.did
  }

  get rev(): string {
    return this.commit.rev
  }

  /** Records in key order, decoded as they are reached. */
  *records(): Generator<RepoRecord> {
    for (const { key, cid } of this.entries) {
      const { collection, rkey } = parseDataKey(key)
      yield { collection, rkey, cid, value: decodeCbor(this.store.get(cid) as Uint8Array) }
    }
  }

  /** The tree, for lookups (nodes are decoded again on demand). */
  mst(): Mst {
    return Mst.load(this.store, this.commit.data)
  }

  /**
   * The CommitData that writes this repository into an empty BlockStore (every reachable block new, one
   * create op per record), e.g. for an account import. `eventBlocks` is empty: this is not a firehose commit.
   */
  toImportCommit(): CommitData {
    const get = (cid: CID): Uint8Array => this.store.get(cid) as Uint8Array
    const newBlocks = new BlockMap().set(this.commitCid, get(this.commitCid))
    for (const cid of this.nodes) newBlocks.set(cid, get(cid))
    for (const e of this.entries) newBlocks.set(e.cid, get(e.cid))
    return {
      did: this.commit.did,
      cid: this.commitCid,
      rev: this.commit.rev,
      since: null,
      prev: null,
      data: this.commit.data,
      prevData: null,
      ops: this.entries.map((e) => ({ action: 'create', path: e.key, cid: e.cid })),
      newBlocks,
      newNodes: this.nodes,
      removedNodes: [],
      eventBlocks: new BlockMap(),
    }
  }
}

function readRoot(roots: CID[]): CID {
  if (roots.length !== 1)
    throw new RepoVerificationError('bad-car', `repository CAR must have one root, has ${roots.length}`)
  return roots[0]
}

function asCarError(err: unknown): never {
  if (err instanceof RepoVerificationError) throw err
  throw new RepoVerificationError('bad-car', `bad CAR: ${(err as Error).message}`)
}

/** Reads and fully verifies a repository CAR held in memory. */
export function verifyRepoCar(car: Uint8Array, opts: VerifyRepoOptions & CarReadOptions = {}): VerifiedRepo {
  let parsed: ReturnType<typeof readCar>
  try {
    parsed = readCar(car, opts)
  } catch (err) {
    asCarError(err)
  }
  const root = readRoot(parsed.roots)
  const store = new MemoryBlockStore(parsed.blocks)
  return new VerifiedRepo(store, verifyRepoTree(store, root, opts))
}

/** Same as verifyRepoCar for a CAR arriving as a stream of chunks. */
export async function verifyRepoCarStream(
  chunks: AsyncIterable<Uint8Array>,
  opts: VerifyRepoOptions & CarReadOptions = {},
): Promise<VerifiedRepo> {
  const store = new MemoryBlockStore()
  let root: CID
  try {
    const { roots, blocks } = await readCarStream(chunks, opts)
    root = readRoot(roots)
    for await (const b of blocks) store.put(b.cid, b.bytes)
  } catch (err) {
    asCarError(err)
  }
  return new VerifiedRepo(store, verifyRepoTree(store, root, opts))
}
