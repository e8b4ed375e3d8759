/**
 * A repository as its owner (a PDS) holds it: the current signed commit over an MST in a block store.
 *
 * `formatCommit` turns a batch of record writes into a CommitData — the new signed commit, the blocks to
 * store, the MST nodes added and removed, the ops with their prev CIDs, prevData, and the exact block set
 * of the firehose event — without touching the store. `applyCommit` persists it through the store
 * (BlockStore.applyCommit) and returns the repository at the new commit, keeping the tree that was just
 * built in memory. `applyWrites` does both.
 *
 * Writes are checked for syntax (collection NSID, record key, at most one write per key per batch) and
 * against the tree (create on a new key, update/delete on an existing one). Record contents are not
 * checked against lexicons here.
 */
import { type CID, type LexValue, decodeCbor, encodeBlock } from '../data/index.ts'
import type { Keypair } from '../crypto/index.ts'
import { compareTids, isValidNsid, isValidRecordKey, nextTid } from '../syntax/index.ts'
import { BlockMap } from './block-map.ts'
import type { BlockStore, ReadableBlockStore } from './blockstore.ts'
import { type Commit, decodeCommit, encodeCommit, signCommit } from './commit.ts'
import { diffMst } from './diff.ts'
import { KeyNotFoundError, MissingBlockError, RepoError } from './errors.ts'
import { formatDataKey } from './keys.ts'
import { Mst } from './mst.ts'
import { releaseBuiltBytes } from './node.ts'
import { addCoveringProof } from './proofs.ts'
import type { CommitData, RecordWrite, RepoOp } from './types.ts'

export interface CommitOptions {
  /** Use this rev instead of a fresh TID (must be greater than the current rev). */
  rev?: string
}

export interface RecordEntry {
  collection: string
  rkey: string
  cid: CID
  value: LexValue
}

/** Trees built by formatCommit, so applyCommit can keep them instead of re-reading the store. */
const builtTrees = new WeakMap<CommitData, { mst: Mst; commit: Commit }>()

export class Repo {
  private constructor(
    readonly store: ReadableBlockStore,
    readonly cid: CID,
    readonly commit: Commit,
    readonly data: Mst,
  ) {}

  get did(): string {
    return this.commit.did
  }

  get rev(): string {
    return this.commit.rev
  }

  /** Opens the repository at `cid` (default: the store's current root). */
  static load(store: ReadableBlockStore & { getRoot?: BlockStore['getRoot'] }, cid?: CID): Repo {
    const at = cid ?? store.getRoot?.()?.cid
    if (!at) throw new RepoError('no commit given and the store has no root')
    const bytes = store.get(at)
    if (!bytes) throw new MissingBlockError(at, 'commit')
    const commit = decodeCommit(bytes)
    return new Repo(store, at, commit, Mst.load(store, commit.data))
  }

  /** The first commit of a new repository (optionally with records), not yet stored. */
  static formatInit(
    store: ReadableBlockStore,
    did: string,
    keypair: Keypair,
    writes: RecordWrite[] = [],
    opts: CommitOptions = {},
  ): CommitData {
    return buildCommit(null, did, Mst.empty(store), writes, keypair, opts.rev ?? nextTid())
  }

  /** Creates and stores a new repository. */
  static create(
    store: BlockStore,
    did: string,
    keypair: Keypair,
    writes: RecordWrite[] = [],
    opts?: CommitOptions,
  ): Repo {
    const data = Repo.formatInit(store, did, keypair, writes, opts)
    store.applyCommit(data)
    return Repo.afterCommit(store, data)
  }

  private static afterCommit(store: ReadableBlockStore, data: CommitData): Repo {
    const built = builtTrees.get(data)
    if (!built) return Repo.load(store, data.cid)
    // The store has the new nodes now; the in-memory tree no longer needs their encodings.
    releaseBuiltBytes(built.mst.root)
    return new Repo(store, data.cid, built.commit, built.mst)
  }

  getRecordCid(collection: string, rkey: string): CID | null {
    return this.data.get(formatDataKey(collection, rkey))
  }

  getRecord(collection: string, rkey: string): { cid: CID; value: LexValue } | null {
    const cid = this.getRecordCid(collection, rkey)
    if (!cid) return null
    const bytes = this.store.get(cid)
    if (!bytes) throw new MissingBlockError(cid, 'record')
    return { cid, value: decodeCbor(bytes) }
  }

  /** Records of one collection in rkey order (or reverse); `after`/`before` are rkeys (exclusive). */
  listRecords(
    collection: string,
    opts: { limit?: number; reverse?: boolean; after?: string; before?: string } = {},
  ): RecordEntry[] {
    const prefix = `${collection}/`
    const list = this.data.list({
      ...opts,
      prefix,
      after: opts.after !== undefined ? prefix + opts.after : undefined,
      before: opts.before !== undefined ? prefix + opts.before : undefined,
    })
    return list.map(({ key, cid }) => {
      const bytes = this.store.get(cid)
      if (!bytes) throw new MissingBlockError(cid, 'record')
      return { collection, rkey: key.slice(prefix.length), cid, value: decodeCbor(bytes) }
    })
  }

  /** Computes the next commit for a batch of writes (see the module comment); stores nothing. */
  formatCommit(writes: RecordWrite[], keypair: Keypair, opts: CommitOptions = {}): CommitData {
    const rev = opts.rev ?? nextTid(this.commit.rev)
    if (compareTids(rev, this.commit.rev) <= 0)
      throw new RepoError(`rev ${rev} is not after the current rev ${this.rev}`)
    return buildCommit(this, this.did, this.data, writes, keypair, rev)
  }

  /** Stores a commit made by formatCommit (through the block store) and returns the repository after it. */
  applyCommit(data: CommitData, store: BlockStore = this.store as BlockStore): Repo {
    store.applyCommit(data)
    return Repo.afterCommit(store, data)
  }

  applyWrites(writes: RecordWrite[], keypair: Keypair, opts?: CommitOptions): { repo: Repo; commit: CommitData } {
    const commit = this.formatCommit(writes, keypair, opts)
    return { repo: this.applyCommit(commit), commit }
  }
}

function buildCommit(
  prev: Repo | null,
  did: string,
  before: Mst,
  writes: RecordWrite[],
  keypair: Keypair,
  rev: string,
): CommitData {
  const { mst, ops, records } = applyRecordWrites(before, writes)
  const data = mst.rootCid()
  const diff = diffMst(prev ? before : null, mst)
  const commit = signCommit({ did, version: 3, data, rev, prev: null }, keypair)
  const commitBlock = encodeCommit(commit)
  const newBlocks = new BlockMap().add(commitBlock).addAll(diff.newNodes).addAll(records)
  const eventBlocks = new BlockMap().add(commitBlock).addAll(diff.newNodes)
  for (const op of ops) addCoveringProof(mst, op.path, eventBlocks)
  eventBlocks.addAll(records)
  const result: CommitData = {
    did,
    cid: commitBlock.cid,
    rev,
    since: prev ? prev.rev : null,
    prev: prev ? prev.cid : null,
    data,
    prevData: prev ? prev.commit.data : null,
    ops,
    newBlocks,
    newNodes: diff.newNodes.map((b) => b.cid),
    removedNodes: diff.removedNodes,
    eventBlocks,
  }
  builtTrees.set(result, { mst, commit })
  return result
}

/** Applies writes to a tree; returns the new tree, the ops (with prev CIDs) and the new record blocks. */
function applyRecordWrites(start: Mst, writes: RecordWrite[]): { mst: Mst; ops: RepoOp[]; records: BlockMap } {
  let mst = start
  const ops: RepoOp[] = []
  const records = new BlockMap()
  const seen = new Set<string>()
  for (const w of writes) {
    if (!isValidNsid(w.collection)) throw new RepoError(`invalid collection NSID: ${w.collection}`)
    if (!isValidRecordKey(w.rkey)) throw new RepoError(`invalid record key: ${w.rkey}`)
    const path = formatDataKey(w.collection, w.rkey)
    if (seen.has(path)) throw new RepoError(`more than one write for ${path} in one commit`)
    seen.add(path)
    if (w.action === 'delete') {
      const prev = mst.get(path)
      if (!prev) throw new KeyNotFoundError(path)
      mst = mst.delete(path)
      ops.push({ action: 'delete', path, cid: null, prev })
      continue
    }
    const rec = w.record
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec) || rec instanceof Uint8Array) {
      throw new RepoError(`record for ${path} is not an object`)
    }
    const block = w.block ?? encodeBlock(rec)
    records.add(block)
    if (w.action === 'create') {
      mst = mst.add(path, block.cid)
      ops.push({ action: 'create', path, cid: block.cid })
    } else {
      const prev = mst.get(path)
      if (!prev) throw new KeyNotFoundError(path)
      mst = mst.update(path, block.cid)
      ops.push({ action: 'update', path, cid: block.cid, prev })
    }
  }
  return { mst, ops, records }
}
