/**
 * One account's repository blocks in the shared PDS database: the core BlockStore over the `repo_block`
 * and `repo_root` rows of one DID. The approach is server/repo-store's SqliteBlockStore (reference counts
 * from core `refChanges`, so only blocks reachable from the current commit are kept), with a `did` column
 * so every account shares one file and one transaction with the record index and the firehose log.
 *
 * `applyCommit` does NOT open a transaction: callers run it inside `db.transact` together with the record
 * index, blob links and the sequencer row. It refuses (RepoError) a commit that does not follow the stored
 * root, so two writers cannot fork a repository. Blocks are not verified (core made them, or verified them).
 */
import { CID } from '@stratus/core/data'
import { type BlockStore, type CommitData, RepoError, type RepoRoot, refChanges } from '@stratus/core/repo'
import type { PdsDatabase } from '../db/index.ts'

const SQL = {
  get: 'SELECT bytes FROM repo_block WHERE did = ? AND cid = ?',
  has: 'SELECT 1 FROM repo_block WHERE did = ? AND cid = ?',
  root: 'SELECT cid, rev FROM repo_root WHERE did = ?',
  insert: 'INSERT INTO repo_block (did, cid, bytes, refs) VALUES (?, ?, ?, 0) ON CONFLICT (did, cid) DO NOTHING',
  addRefs: 'UPDATE repo_block SET refs = refs + ? WHERE did = ? AND cid = ?',
  dropIfUnused: 'DELETE FROM repo_block WHERE did = ? AND cid = ? AND refs <= 0',
  setRoot: `INSERT INTO repo_root (did, cid, rev, indexed_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (did) DO UPDATE SET cid = excluded.cid, rev = excluded.rev, indexed_at = excluded.indexed_at`,
}

/** better-sqlite3 returns Buffers; hand out plain Uint8Array views (no copy). */
const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

/** Reads the head commit of `did` (null for an account without a repository). */
export function readRoot(db: PdsDatabase, did: string): RepoRoot | null {
  const row = db.stmt(SQL.root).get(did) as { cid: Uint8Array; rev: string } | undefined
  return row ? { cid: CID.decode(view(row.cid).slice()), rev: row.rev } : null
}

export class AccountBlockStore implements BlockStore {
  constructor(
    readonly db: PdsDatabase,
    readonly did: string,
  ) {}

  get(cid: CID): Uint8Array | undefined {
    const row = this.db.stmt(SQL.get).get(this.did, cid.bytes) as { bytes: Uint8Array } | undefined
    return row ? view(row.bytes) : undefined
  }

  has(cid: CID): boolean {
    return this.db.stmt(SQL.has).get(this.did, cid.bytes) !== undefined
  }

  getRoot(): RepoRoot | null {
    return readRoot(this.db, this.did)
  }

  /** See the module comment: call inside `db.transact`. */
  applyCommit(commit: CommitData): void {
    if (commit.did !== this.did) throw new RepoError(`commit for ${commit.did} applied to the store of ${this.did}`)
    const root = this.getRoot()
    const follows = root === null ? commit.prev === null : commit.prev?.equals(root.cid) === true
    if (!follows) throw new RepoError(`commit ${commit.cid} does not follow the stored root ${root ? root.cid : '(none)'}`)
    const insert = this.db.stmt(SQL.insert)
    const addRefs = this.db.stmt(SQL.addRefs)
    const drop = this.db.stmt(SQL.dropIfUnused)
    for (const b of commit.newBlocks) insert.run(this.did, b.cid.bytes, b.bytes)
    const changes = refChanges(commit)
    for (const { cid, delta } of changes.values()) if (delta !== 0) addRefs.run(delta, this.did, cid.bytes)
    // A new block nothing references (none in practice) must not linger either.
    for (const b of commit.newBlocks) {
      if ((changes.get(b.cid.toString())?.delta ?? 0) <= 0) drop.run(this.did, b.cid.bytes)
    }
    for (const { cid, delta } of changes.values()) if (delta < 0) drop.run(this.did, cid.bytes)
    this.db.stmt(SQL.setRoot).run(this.did, commit.cid.bytes, commit.rev, new Date().toISOString())
  }

  /** Deletes every block and the root of this account (before an import replaces the repository). */
  clear(): void {
    this.db.stmt('DELETE FROM repo_block WHERE did = ?').run(this.did)
    this.db.stmt('DELETE FROM repo_root WHERE did = ?').run(this.did)
  }

  countBlocks(): number {
    return (this.db.stmt('SELECT count(*) AS n FROM repo_block WHERE did = ?').get(this.did) as { n: number }).n
  }
}
