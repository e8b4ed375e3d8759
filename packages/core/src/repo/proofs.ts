/**
 * Proofs over an MST.
 *
 * - Covering proof of a key (sync 1.1): the nodes on the search path to the key and, when the key is
 *   present, the nodes on the paths to its neighbours (the right-most spine of the subtree just left of it
 *   and the left-most spine of the subtree just right of it). With these, a consumer holding only the new
 *   tree can remove or re-insert the key and recompute the old root. The union over a commit's op keys is
 *   exactly what `#commit` events carry (together with the new nodes, the records and the commit).
 * - Record proof (com.atproto.sync.getRecord): the commit, the search path to the key and the record
 *   block if present — enough to prove presence or absence under a signed commit.
 */
import { type Block, type CID, readCar, writeCarBytes } from '../data/index.ts'
import { BlockMap } from './block-map.ts'
import { MemoryBlockStore, type ReadableBlockStore } from './blockstore.ts'
import { verifyCommit } from './commit.ts'
import { MissingBlockError, RepoVerificationError } from './errors.ts'
import { Mst } from './mst.ts'
import { type MstNode, nodeBlock, searchKeys } from './node.ts'

/** Adds the covering-proof nodes of `key` in `mst` to `into` (keyed by CID string). */
export function addCoveringProof(mst: Mst, key: string, into: BlockMap): void {
  const store = mst.store
  const add = (node: MstNode): MstNode => {
    node.load(store)
    const b = nodeBlock(node, store)
    into.set(b.cid, b.bytes)
    return node
  }
  let node: MstNode | null = mst.root
  while (node !== null) {
    const keys = add(node).keys as string[]
    const i = searchKeys(keys, key)
    if (i < keys.length && keys[i] === key) {
      for (let s = node.subs[i]; s !== null; s = s.subs[s.subs.length - 1]) add(s)
      for (let s = node.subs[i + 1]; s !== null; s = s.subs[0]) add(s)
      return
    }
    node = node.subs[i]
  }
}

/** The covering proofs of several keys, as one block set. */
export function coveringProof(mst: Mst, keys: Iterable<string>): BlockMap {
  const out = new BlockMap()
  for (const key of keys) addCoveringProof(mst, key, out)
  return out
}

/** Search path nodes for key, plus the record block when the key is present. */
export function addRecordPath(mst: Mst, key: string, into: BlockMap): void {
  let node: MstNode | null = mst.root
  while (node !== null) {
    node.load(mst.store)
    const b = nodeBlock(node, mst.store)
    into.set(b.cid, b.bytes)
    const keys = node.keys as string[]
    const i = searchKeys(keys, key)
    if (i < keys.length && keys[i] === key) {
      const bytes = mst.store.get(node.vals[i])
      if (bytes === undefined) throw new MissingBlockError(node.vals[i], 'record')
      into.set(node.vals[i], bytes)
      return
    }
    node = node.subs[i]
  }
}

/** The blocks proving the value (or absence) of each key under a stored commit; the commit block first. */
export function recordProofBlocks(store: ReadableBlockStore, commitCid: CID, keys: Iterable<string>): Block[] {
  const commitBytes = store.get(commitCid)
  if (commitBytes === undefined) throw new MissingBlockError(commitCid, 'commit')
  const commit = verifyCommit(commitBytes)
  const out = new BlockMap().set(commitCid, commitBytes)
  const mst = Mst.load(store, commit.data)
  for (const key of keys) addRecordPath(mst, key, out)
  return [...out]
}

/** A CAR (root = commit) proving each key's value or absence. */
export function recordProofCar(store: ReadableBlockStore, commitCid: CID, keys: Iterable<string>): Uint8Array {
  return writeCarBytes([commitCid], recordProofBlocks(store, commitCid, keys))
}

export interface RecordClaim {
  /** `collection/rkey`. */
  key: string
  /** The claimed record CID, or null to claim absence. */
  cid: CID | null
}

/**
 * Checks claims against a proof CAR: the commit must be for `did` and signed by `signingKey`. A claim is
 * verified when the proven tree agrees (for presence, the record block must also be in the CAR); a claim
 * whose path is not covered by the CAR is unverified. Throws RepoVerificationError for a bad CAR/commit.
 */
export function verifyRecordProofs(
  car: Uint8Array,
  claims: RecordClaim[],
  did: string,
  signingKey: string,
): { verified: RecordClaim[]; unverified: RecordClaim[] } {
  let parsed: ReturnType<typeof readCar>
  try {
    parsed = readCar(car)
  } catch (err) {
    throw new RepoVerificationError('bad-car', `bad proof CAR: ${(err as Error).message}`)
  }
  if (parsed.roots.length !== 1) throw new RepoVerificationError('bad-car', 'proof CAR must have exactly one root')
  const store = new MemoryBlockStore(parsed.blocks)
  const root = parsed.roots[0]
  const commitBytes = store.get(root)
  if (!commitBytes) throw new RepoVerificationError('missing-block', `proof CAR lacks its commit block ${root}`)
  const commit = verifyCommit(commitBytes, { did, signingKey })
  const verified: RecordClaim[] = []
  const unverified: RecordClaim[] = []
  let mst: Mst | null = null
  for (const claim of claims) {
    let ok = false
    try {
      mst ??= Mst.load(store, commit.data)
      const found = mst.get(claim.key)
      ok = claim.cid === null ? found === null : found?.equals(claim.cid) === true && store.has(claim.cid)
    } catch (err) {
      if (!(err instanceof MissingBlockError)) throw err
    }
    ;(ok ? verified : unverified).push(claim)
  }
  return { verified, unverified }
}
