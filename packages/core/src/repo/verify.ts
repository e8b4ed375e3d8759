/**
 * Full verification of a repository held in a block store (usually a CAR that was just read).
 *
 * Checks, failing with RepoVerificationError naming the problem:
 * - the commit: shape, version 3, valid DID and rev, optionally the expected DID and the signature;
 * - every MST node reachable from the commit: present, strict DAG-CBOR of the node shape, canonical
 *   prefix compression, valid keys in strictly increasing order, every key at the height its hash gives,
 *   keys inside the range their parent allows, no subtree under height 0, no empty node except an empty
 *   root, no root without keys above a subtree, no node reached twice, at most `maxNodeEntries` entries;
 * - every record: present, a DAG-CBOR CID, decodes to a map.
 * The walk is iterative and visits each block once, so hostile input cannot recurse deeply or loop.
 * Not checked: record contents against lexicons, blocks in the store that the tree does not reach.
 */
import { CID, DAG_CBOR, decodeCbor } from '../data/index.ts'
import type { ReadableBlockStore } from './blockstore.ts'
import { type Commit, verifyCommit } from './commit.ts'
import { RepoVerificationError } from './errors.ts'
import { keyHeight } from './keys.ts'
import type { MstEntry } from './mst.ts'
import { decodeNode } from './node-codec.ts'

export interface VerifyRepoOptions {
  /** Expected repository DID. */
  did?: string
  /** The DID's signing key (did:key); without it the signature is not checked. */
  signingKey?: string
  /** Largest number of entries accepted in one node (default 1024; honest trees stay far below). */
  maxNodeEntries?: number
  /** Decode every record block (default true). */
  checkRecords?: boolean
}

export const DEFAULT_MAX_NODE_ENTRIES = 1024

export interface VerifiedTree {
  commitCid: CID
  commit: Commit
  /** Every record key and CID, in key order. */
  entries: MstEntry[]
  /** CIDs of every MST node, in walk order. */
  nodes: CID[]
}

interface NodeTask {
  cid: CID
  height: number
  /** Exclusive key bounds; '' / null mean unbounded. */
  lo: string
  hi: string | null
}

function fail(code: 'bad-structure' | 'missing-block' | 'bad-record' | 'too-large', msg: string): never {
  throw new RepoVerificationError(code, msg)
}

/** Verifies the commit `commitCid` and the whole tree under it. */
export function verifyRepoTree(store: ReadableBlockStore, commitCid: CID, opts: VerifyRepoOptions = {}): VerifiedTree {
  const commitBytes = store.get(commitCid)
  if (commitBytes === undefined) fail('missing-block', `missing commit block ${commitCid}`)
  const commit = verifyCommit(commitBytes, opts)
  const maxEntries = opts.maxNodeEntries ?? DEFAULT_MAX_NODE_ENTRIES
  const checkRecords = opts.checkRecords ?? true
  const entries: MstEntry[] = []
  const seen = new Set<string>()
  const nodes: CID[] = []
  const stack: (NodeTask | MstEntry)[] = [{ cid: commit.data, height: -1, lo: '', hi: null }]
  while (stack.length > 0) {
    const item = stack.pop() as NodeTask | MstEntry
    if ('key' in item) {
      if (checkRecords) checkRecord(store, item)
      entries.push(item)
      continue
    }
    const { cid, lo, hi } = item
    const isRoot = item.height === -1
    if (cid.code !== DAG_CBOR) fail('bad-structure', `MST node link ${cid} is not DAG-CBOR`)
    const k = cid.toString()
    if (seen.has(k)) fail('bad-structure', `MST node ${k} is reached twice`)
    seen.add(k)
    nodes.push(cid)
    const bytes = store.get(cid)
    if (bytes === undefined) fail('missing-block', `missing MST node ${k}`)
    const { keys, vals, subs } = decodeNode(bytes)
    const n = keys.length
    if (n > maxEntries) fail('too-large', `MST node ${k} has ${n} entries (limit ${maxEntries})`)
    if (n === 0 && isRoot && subs[0] !== null) fail('bad-structure', `MST root ${k} has no entries`)
    if (n === 0 && !isRoot && subs[0] === null) fail('bad-structure', `MST node ${k} is empty`)
    const height = isRoot ? (n > 0 ? keyHeight(keys[0]) : 0) : item.height
    for (let i = 0; i < n; i++) {
      const key = keys[i]
      const h = keyHeight(key)
      if (h !== height) fail('bad-structure', `key ${key} has height ${h} but sits in a node at height ${height}`)
      if (key <= lo || (hi !== null && key >= hi)) fail('bad-structure', `key ${key} is outside its subtree's range`)
    }
    for (let i = n; i >= 0; i--) {
      const sub = subs[i]
      if (sub !== null) {
        if (height === 0) fail('bad-structure', `MST node ${k} at height 0 has a subtree`)
        stack.push({ cid: sub, height: height - 1, lo: i > 0 ? keys[i - 1] : lo, hi: i < n ? keys[i] : hi })
      }
      if (i > 0) stack.push({ key: keys[i - 1], cid: vals[i - 1] })
    }
  }
  return { commitCid, commit, entries, nodes }
}

function checkRecord(store: ReadableBlockStore, entry: MstEntry): void {
  const { key, cid } = entry
  if (cid.code !== DAG_CBOR) fail('bad-record', `record ${key} (${cid}) is not DAG-CBOR`)
  const bytes = store.get(cid)
  if (bytes === undefined) fail('missing-block', `missing record block ${cid} for ${key}`)
  let value: unknown
  try {
    value = decodeCbor(bytes)
  } catch (err) {
    fail('bad-record', `record ${key} (${cid}) does not decode: ${(err as Error).message}`)
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Uint8Array ||
    value instanceof CID
  ) {
    fail('bad-record', `record ${key} (${cid}) is not a map`)
  }
}
