/**
 * `ctx.repo`: every account's repository in the shared database. Reads (root, blocks, records, blobs) for
 * the repo and sync handlers, and the write path: ONE synchronous transaction per write that
 *   checks swapCommit / swapRecord, updates the MST and signs the commit (core Repo), stores the new
 *   blocks and drops unreachable ones (AccountBlockStore), updates the record index and backlinks, links
 *   blobs (temporary uploads become permanent, unreferenced blobs are deleted) and appends the `#commit`
 *   event (ctx.sequencer.sequenceCommit),
 * so a write and its firehose event commit together or not at all. Blob files of deleted blobs are
 * removed after the commit. The XRPC write handlers go through `write(fn)`: writes that arrive together
 * share one transaction, each in its own savepoint (group-commit.ts).
 *
 * Durability: SQLite WAL with synchronous=NORMAL (the PDS default): COMMIT has appended the transaction to
 * the WAL file with write() before it returns, and the response is sent after that, so every acknowledged
 * write survives kill -9 of the process (the kernel holds the bytes); only an OS crash or power loss could
 * lose the last commits. With synchronous=FULL the WAL is also fsynced per commit (and uploads are fsynced).
 *
 * Speed: the current tree of recently written accounts stays decoded in a bounded cache (cache.ts), so a
 * write reads only the root row, and the MST path it changes is already in memory.
 */
import type { CID, LexValue } from '@stratus/core/data'
import type { Keypair } from '@stratus/core/crypto'
import {
  type CommitData,
  KeyExistsError,
  KeyNotFoundError,
  MissingBlockError,
  type ReadableBlockStore,
  type RecordWrite,
  Repo,
  RepoError,
  type RepoRoot,
} from '@stratus/core/repo'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsBlobs, ServedBlob } from '../blobs/store.ts'
import type { PdsDatabase } from '../db/index.ts'
import { AccountBlockStore, collectDeadBlocks, readRoot } from './block-store.ts'
import { RepoCache } from './cache.ts'
import { GroupCommit } from './group-commit.ts'
import type { PreparedRecordWrite, PreparedWrite } from './prepare.ts'
import * as records from './records.ts'

/** Most writes in one commit (the firehose limit). */
export const MAX_WRITES = 200
/** Dead blocks (see block-store.ts) that trigger a collection. */
const GC_BATCH = 1024
/** Largest block set of one commit's firehose event. */
export const MAX_EVENT_BLOCK_BYTES = 2_000_000

/** What the repo module needs from the sequencer (pds/sequencer); all called inside the transaction. */
export interface RepoSequencer {
  sequenceCommit(did: string, commit: CommitData): number
  sequenceSync(did: string, commitCid: CID, rev: string, commitBytes?: Uint8Array): number
  sequenceIdentity(did: string, handle?: string): number
  sequenceAccount(did: string, active: boolean, status?: string): number
}

export interface PdsRepoDeps {
  db: PdsDatabase
  blobs: PdsBlobs
  signingKey(did: string): Keypair
  /** Read at each write (the sequencer slot may be filled after this module). */
  sequencer(): RepoSequencer | undefined
  cacheSize?: number
}

export interface WriteOptions {
  swapCommit?: CID
}

export class PdsRepo {
  readonly db: PdsDatabase
  readonly blobs: PdsBlobs
  readonly cache: RepoCache
  private readonly group: GroupCommit
  private deadBlocks = 0
  private gcScheduled = false

  constructor(readonly deps: PdsRepoDeps) {
    this.db = deps.db
    this.blobs = deps.blobs
    this.cache = new RepoCache(deps.cacheSize)
    this.group = new GroupCommit(deps.db)
  }

  // ---- reads ----

  getRoot(did: string): RepoRoot | null {
    return readRoot(this.db, did)
  }

  /** The account's current blocks (with getRoot, so core's exportRepoCar can use it directly). */
  blockStore(did: string): AccountBlockStore {
    return new AccountBlockStore(this.db, did)
  }

  /** The repository at its current commit (cached tree when fresh); null without one. */
  load(did: string): Repo | null {
    const root = readRoot(this.db, did)
    return root ? this.current(did, root) : null
  }

  getRecord(did: string, collection: string, rkey: string): { cid: CID; value: LexValue; bytes: Uint8Array } | null {
    return records.getRecord(this.db, did, collection, rkey)
  }

  listRecords(did: string, collection: string, opts: records.ListRecordsOptions) {
    return records.listRecords(this.db, did, collection, opts)
  }

  /** The current CID of a record (from the index); null when there is none. */
  recordCid(did: string, collection: string, rkey: string): CID | null {
    return records.recordCid(this.db, did, collection, rkey)
  }

  /** Keys of records a new like/repost/follow/block would duplicate (same subject). */
  backlinkConflicts(did: string, collection: string, record: unknown): string[] {
    const links = records.backlinksOf(collection, record)
    return links.length === 0 ? [] : records.backlinkConflicts(this.db, did, collection, links)
  }

  listCollections(did: string): string[] {
    return records.listCollections(this.db, did)
  }

  listBlobs(did: string, opts: { since?: string; cursor?: string; limit: number }): CID[] {
    return this.blobs.listBlobs(did, opts)
  }

  getBlob(did: string, cid: CID | string): ServedBlob | null {
    return this.blobs.getBlob(did, cid)
  }

  private current(did: string, root: RepoRoot): Repo {
    const cached = this.cache.get(did)
    if (cached?.cid.equals(root.cid)) return cached
    return Repo.load(this.blockStore(did) as ReadableBlockStore, root.cid)
  }

  // ---- writes ----

  /**
   * The first (empty) commit of a new account, inside the account-creation transaction, with the events
   * in the order the spec asks: #identity, #account (active), #commit.
   */
  createRepo(did: string, handle: string, keypair: Keypair): CommitData {
    const store = this.blockStore(did)
    const commit = Repo.formatInit(store, did, keypair)
    store.applyCommit(commit)
    const seq = this.deps.sequencer()
    seq?.sequenceIdentity(did, handle)
    seq?.sequenceAccount(did, true)
    seq?.sequenceCommit(did, commit)
    return commit
  }

  /** Applies a batch of prepared writes as one commit (see the module comment). */
  processWrites(did: string, writes: PreparedWrite[], opts: WriteOptions = {}): CommitData {
    if (writes.length > MAX_WRITES) throw new InvalidRequestError(`Too many writes. Max: ${MAX_WRITES}`)
    let removed: string[] = []
    const { commit, repo, died } = this.db.transact(() => {
      const root = readRoot(this.db, did)
      if (!root) throw new InvalidRequestError(`No repo root found for ${did}`)
      if (opts.swapCommit && !opts.swapCommit.equals(root.cid)) {
        throw new InvalidRequestError(`Commit was at ${root.cid}`, 'InvalidSwap')
      }
      const before = this.current(did, root)
      checkRecordSwaps(before, writes)
      const commit = formatCommit(before, writes, this.deps.signingKey(did))
      const store = new AccountBlockStore(this.db, did, root)
      const repo = before.applyCommit(commit, store)
      removed = this.indexWrites(did, writes, commit.rev)
      sequenceCommit(this.deps.sequencer(), did, commit)
      return { commit, repo, died: store.died }
    })
    // Safe before an enclosing group transaction commits: an entry is used only while it matches the root.
    this.cache.set(did, repo)
    this.db.afterCommit(() => {
      this.noteDeadBlocks(died)
      this.blobs.removeFiles(did, removed)
    })
    return commit
  }

  /**
   * Runs `fn` (which calls processWrites; it may read first, e.g. backlink conflicts) at once or in this
   * turn's group transaction (group-commit.ts): its result once committed, or a promise of it.
   */
  write<T>(fn: () => T): T | Promise<T> {
    return this.group.run(fn)
  }

  /** Record index, backlinks and blob links of a commit's writes; returns blob files to remove. */
  private indexWrites(did: string, writes: PreparedWrite[], rev: string): string[] {
    const now = new Date().toISOString()
    const unlinked: { collection: string; rkey: string }[] = []
    const linked: { collection: string; rkey: string; blobs: PreparedRecordWrite['blobs'] }[] = []
    for (const w of writes) {
      if (w.action === 'delete') {
        records.unindexRecord(this.db, did, w.collection, w.rkey)
        unlinked.push(w)
      } else {
        records.indexRecord(this.db, did, w, rev, now, w.action === 'create')
        if (w.action === 'update') unlinked.push(w)
        if (w.blobs.length > 0) linked.push(w)
      }
    }
    if (unlinked.length === 0 && linked.length === 0) return []
    return this.blobs.applyLinks(did, unlinked, linked)
  }

  /**
   * Dead blocks are deleted once enough have piled up, in their own transaction after the write that
   * tipped the count (never inside a write: see block-store.ts).
   */
  private noteDeadBlocks(n: number): void {
    this.deadBlocks += n
    if (this.deadBlocks < GC_BATCH || this.gcScheduled) return
    this.gcScheduled = true
    setImmediate(() => {
      this.gcScheduled = false
      this.collectGarbage()
    })
  }

  /** Deletes every dead block now (also used on close and by tests). */
  collectGarbage(): void {
    if (!this.db.sqlite.open) return
    this.deadBlocks = 0
    while (this.db.transact(() => collectDeadBlocks(this.db, GC_BATCH * 4)) === GC_BATCH * 4) {}
  }

  /** Forgets the cached tree of an account (after an import or account deletion). */
  forget(did: string): void {
    this.cache.delete(did)
  }
}

/** Appends the #commit event; a commit the firehose cannot carry is the client's error, not ours. */
function sequenceCommit(seq: RepoSequencer | undefined, did: string, commit: CommitData): void {
  try {
    seq?.sequenceCommit(did, commit)
  } catch (err) {
    if ((err as Error)?.name === 'FirehoseLimitError')
      throw new InvalidRequestError(`Commit too large: ${(err as Error).message}`)
    throw err
  }
}

/** swapRecord semantics of the official PDS: null = must not exist; a CID = must be exactly that. */
function checkRecordSwaps(repo: Repo, writes: PreparedWrite[]): void {
  for (const w of writes) {
    if (w.swapCid === undefined) continue
    const current = repo.getRecordCid(w.collection, w.rkey)
    const path = `${w.collection}/${w.rkey}`
    if (w.action === 'create' && w.swapCid !== null) throw badRecordSwap(path, current)
    if (w.action !== 'create' && w.swapCid === null) throw badRecordSwap(path, current)
    if ((current || w.swapCid) && !(current && w.swapCid && current.equals(w.swapCid)))
      throw badRecordSwap(path, current)
  }
}

function badRecordSwap(path: string, current: CID | null): InvalidRequestError {
  return new InvalidRequestError(`Record was at ${current ?? 'null'} (${path})`, 'InvalidSwap')
}

function formatCommit(repo: Repo, writes: PreparedWrite[], keypair: Keypair): CommitData {
  const recordWrites: RecordWrite[] = writes.map((w) =>
    w.action === 'delete'
      ? { action: 'delete', collection: w.collection, rkey: w.rkey }
      : {
          action: w.action,
          collection: w.collection,
          rkey: w.rkey,
          record: w.record,
          block: { cid: w.cid, bytes: w.bytes },
        },
  )
  let commit: CommitData
  try {
    commit = repo.formatCommit(recordWrites, keypair)
  } catch (err) {
    if (err instanceof MissingBlockError) throw err
    if (err instanceof KeyExistsError) throw new InvalidRequestError(`Record already exists: ${err.key}`)
    if (err instanceof KeyNotFoundError) throw new InvalidRequestError(`Could not find record: ${err.key}`)
    if (err instanceof RepoError) throw new InvalidRequestError(err.message)
    throw err
  }
  const size = commit.eventBlocks.byteLength()
  if (size > MAX_EVENT_BLOCK_BYTES) {
    throw new InvalidRequestError(
      `Too many writes. Max event size: ${MAX_EVENT_BLOCK_BYTES} bytes (this commit: ${size})`,
    )
  }
  return commit
}
