/**
 * One account's repository blocks in the shared PDS database: the core BlockStore over the account's
 * `repo_root` row (head commit, with the commit block itself) and its `repo_block` rows (MST nodes and
 * records). The approach is server/repo-store's SqliteBlockStore — reference counts from core `refChanges`,
 * so only blocks reachable from the current commit are kept — adapted to many accounts in one file that
 * shares each write's transaction with the record index, blob links and the firehose log.
 *
 * `applyCommit` does NOT open a transaction: callers run it inside `db.transact`. It refuses (RepoError) a
 * commit that does not follow the stored root, so two writers cannot fork a repository. Blocks are not
 * verified (core made them, or verified them on import).
 *
 * A block whose count drops to zero stays as a dead row (refs <= 0) that no read returns, and is deleted
 * later in batches by {@link collectDeadBlocks} (see migration 006: deleting inside the write dirtied a
 * random index page per block). Each row also keeps the rev that last added it, for getRepo `since`.
 */
import { CID } from '@stratus/core/data'
import { type BlockStore, type CommitData, RepoError, type RepoRoot, refChanges } from '@stratus/core/repo'
import type { PdsDatabase } from '../db/index.ts'
import { exportRepoCar } from './export-car.ts'

const SQL = {
  root: 'SELECT id, cid, rev FROM repo_root WHERE did = ?',
  commitBytes: 'SELECT cid, commit_bytes FROM repo_root WHERE id = ?',
  get: 'SELECT bytes FROM repo_block WHERE repo = ? AND cid = ? AND refs > 0',
  upsert: `INSERT INTO repo_block (repo, cid, bytes, refs, rev) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (repo, cid) DO UPDATE SET refs = max(refs, 0) + excluded.refs, rev = excluded.rev`,
  addRefs: 'UPDATE repo_block SET refs = max(refs, 0) + ? WHERE repo = ? AND cid = ?',
  since: 'SELECT cid, bytes FROM repo_block WHERE repo = ? AND refs > 0 AND (rev IS NULL OR rev > ?)',
  insertRoot: 'INSERT INTO repo_root (did, cid, rev, commit_bytes, indexed_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
  updateRoot: 'UPDATE repo_root SET cid = ?, rev = ?, commit_bytes = ?, indexed_at = ? WHERE id = ?',
}

/** better-sqlite3 returns Buffers; hand out plain Uint8Array views (no copy). */
const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
const toCid = (b: Uint8Array): CID => CID.decode(view(b).slice())

export interface StoredRoot extends RepoRoot {
  /** The row id that keys the account's blocks. */
  id: number
}

/** Reads the head commit of `did` (null for an account without a repository). */
export function readRoot(db: PdsDatabase, did: string): StoredRoot | null {
  const row = db.stmt(SQL.root).get(did) as { id: number; cid: Uint8Array; rev: string } | undefined
  return row ? { id: row.id, cid: toCid(row.cid), rev: row.rev } : null
}

export class AccountBlockStore implements BlockStore {
  private id: number | null | undefined
  /**
   * Blocks this store's commits took references from: an upper bound of the dead rows they left for
   * collectDeadBlocks (nearly exact: only a record block shared by two keys loses one and lives).
   */
  died = 0

  /**
   * `root`: the account's root as just read inside the caller's open write transaction, so the next
   * applyCommit need not read it again (used once).
   */
  constructor(
    readonly db: PdsDatabase,
    readonly did: string,
    private root?: StoredRoot,
  ) {
    if (root) this.id = root.id
  }

  /** The account's row id (looked up once; null while it has no repository). */
  private repoId(): number | null {
    if (this.id === undefined || this.id === null) this.id = readRoot(this.db, this.did)?.id ?? null
    return this.id
  }

  get(cid: CID): Uint8Array | undefined {
    const id = this.repoId()
    if (id === null) return undefined
    const row = this.db.stmt(SQL.get).get(id, cid.bytes) as { bytes: Uint8Array } | undefined
    if (row) return view(row.bytes)
    // The head commit block lives in the root row.
    const head = this.db.stmt(SQL.commitBytes).get(id) as { cid: Uint8Array; commit_bytes: Uint8Array } | undefined
    return head && toCid(head.cid).equals(cid) ? view(head.commit_bytes) : undefined
  }

  has(cid: CID): boolean {
    return this.get(cid) !== undefined
  }

  getRoot(): RepoRoot | null {
    const root = readRoot(this.db, this.did)
    return root ? { cid: root.cid, rev: root.rev } : null
  }

  /** See the module comment: call inside `db.transact`. Returns how many blocks may have died (see `died`). */
  applyCommit(commit: CommitData): number {
    if (commit.did !== this.did) throw new RepoError(`commit for ${commit.did} applied to the store of ${this.did}`)
    const root = this.root ?? readRoot(this.db, this.did)
    this.root = undefined
    const follows = root === null ? commit.prev === null : commit.prev?.equals(root.cid) === true
    if (!follows)
      throw new RepoError(`commit ${commit.cid} does not follow the stored root ${root ? root.cid : '(none)'}`)
    const commitBytes = commit.newBlocks.get(commit.cid)
    if (!commitBytes) throw new RepoError(`commit block ${commit.cid} is not among the commit's new blocks`)
    const now = new Date().toISOString()
    let id: number
    if (root === null) {
      id = (
        this.db.stmt(SQL.insertRoot).get(this.did, commit.cid.bytes, commit.rev, commitBytes, now) as { id: number }
      ).id
    } else {
      id = root.id
      this.db.stmt(SQL.updateRoot).run(commit.cid.bytes, commit.rev, commitBytes, now, id)
    }
    this.id = id
    return this.applyRefs(id, commit)
  }

  /** Stores new blocks with their counts and adjusts the others; returns how many lost references. */
  private applyRefs(id: number, commit: CommitData): number {
    const changes = refChanges(commit)
    // The commit blocks are counted by refChanges (head pointer) but live in the root row.
    changes.delete(commit.cid.toString())
    if (commit.prev) changes.delete(commit.prev.toString())
    const upsert = this.db.stmt(SQL.upsert)
    for (const b of commit.newBlocks) {
      const key = b.cid.toString()
      const change = changes.get(key)
      if (!change || change.delta <= 0) continue // the commit itself, or a block nothing references
      upsert.run(id, b.cid.bytes, b.bytes, change.delta, commit.rev)
      changes.delete(key)
    }
    // No RETURNING to learn which reached zero: it costs a third of the UPDATE, and the count only paces
    // collectGarbage, whose scan of the dead-row index finds the real ones.
    const addRefs = this.db.stmt(SQL.addRefs)
    let died = 0
    for (const { cid, delta } of changes.values()) {
      if (delta === 0) continue
      addRefs.run(delta, id, cid.bytes)
      if (delta < 0) died++
    }
    this.died += died
    return died
  }

  /**
   * The live blocks added after revision `since` (every block stored before revs were recorded counts as
   * newer), the head commit included: what a client holding the repo at `since` is missing.
   */
  blocksSince(since: string): { cid: CID; bytes: Uint8Array }[] {
    const id = this.repoId()
    if (id === null) return []
    const head = this.db.stmt(SQL.commitBytes).get(id) as { cid: Uint8Array; commit_bytes: Uint8Array }
    const rows = this.db.stmt(SQL.since).all(id, since) as { cid: Uint8Array; bytes: Uint8Array }[]
    return [
      { cid: toCid(head.cid), bytes: view(head.commit_bytes) },
      ...rows.map((r) => ({ cid: toCid(r.cid), bytes: view(r.bytes) })),
    ]
  }

  /**
   * The repository at its current commit as a CAR (getRepo), read in one synchronous step; see
   * export-car.ts. Null while the account has no repository.
   */
  exportCar(): AsyncIterable<Uint8Array> | null {
    const id = this.repoId()
    return id === null ? null : exportRepoCar(this.db, id)
  }

  /**
   * Deletes every MST node and record block of this account, keeping the root row (and so the row id that
   * stores holding it still use); the next commit (an import) must name the current root as its prev.
   */
  clearBlocks(): void {
    const id = this.repoId()
    if (id !== null) this.db.stmt('DELETE FROM repo_block WHERE repo = ?').run(id)
  }

  /** Deletes every block and the root row of this account (account deletion). */
  clear(): void {
    const id = this.repoId()
    if (id === null) return
    this.db.stmt('DELETE FROM repo_block WHERE repo = ?').run(id)
    this.db.stmt('DELETE FROM repo_root WHERE id = ?').run(id)
    this.id = null
  }

  /** Number of stored blocks, the head commit included. */
  countBlocks(): number {
    const id = this.repoId()
    if (id === null) return 0
    return (
      (this.db.stmt('SELECT count(*) AS n FROM repo_block WHERE repo = ? AND refs > 0').get(id) as { n: number }).n + 1
    )
  }
}

/**
 * Deletes up to `limit` dead blocks (refs <= 0) of any account, in one statement (run it inside a
 * transaction); returns how many went. Batching is the point: many deletes share the index pages they touch.
 */
export function collectDeadBlocks(db: PdsDatabase, limit: number): number {
  return db
    .stmt('DELETE FROM repo_block WHERE rowid IN (SELECT rowid FROM repo_block WHERE refs <= 0 LIMIT ?)')
    .run(limit).changes
}
