/**
 * A repository block store in SQLite (better-sqlite3): one repository per database (the PDS keeps one file
 * per account). Implements the core BlockStore: synchronous reads for the MST's lazy loading, and
 * `applyCommit`, which in one transaction inserts the commit's new blocks, applies its reference-count
 * changes (core `refChanges`), deletes every block whose count reaches zero and moves the root. So the
 * file only ever holds blocks reachable from the current commit.
 *
 * Checks: a commit must build on the current root (its `prev` is the stored root's CID), so two writers
 * cannot silently fork the repository. Does not verify blocks (they come from core, which made them).
 * Durability: WAL; synchronous=FULL by default (a committed repository write survives power loss).
 */
import type BetterSqlite3 from 'better-sqlite3'
import { CID } from '@stratus/core/data'
import { type BlockStore, type CommitData, RepoError, type RepoRoot, refChanges } from '@stratus/core/repo'
import { type SqliteSynchronous, openSqliteHandle } from '../db/index.ts'

export interface SqliteBlockStoreOptions {
  /** Default FULL. NORMAL survives process crashes but may lose the last commits on power loss. */
  synchronous?: SqliteSynchronous
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS repo_block (
  cid BLOB PRIMARY KEY NOT NULL,
  bytes BLOB NOT NULL,
  refs INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS repo_root (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  cid BLOB NOT NULL,
  rev TEXT NOT NULL
);`

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

export class SqliteBlockStore implements BlockStore {
  private readonly stmts: ReturnType<typeof prepare>
  private readonly applyTx: (commit: CommitData) => void

  /** Uses an open handle (e.g. the account database, so other tables can share a transaction). */
  constructor(readonly db: BetterSqlite3.Database) {
    db.exec(SCHEMA)
    this.stmts = prepare(db)
    this.applyTx = db.transaction((commit: CommitData) => this.applyInTx(commit))
  }

  /** Opens (creating if needed) a database file, ':memory:' for a private in-memory one. */
  static open(path: string, opts: SqliteBlockStoreOptions = {}): SqliteBlockStore {
    return new SqliteBlockStore(openSqliteHandle(path, { synchronous: opts.synchronous ?? 'FULL' }))
  }

  get(cid: CID): Uint8Array | undefined {
    const row = this.stmts.get.get(cid.bytes) as { bytes: Uint8Array } | undefined
    return row ? view(row.bytes) : undefined
  }

  has(cid: CID): boolean {
    return this.stmts.has.get(cid.bytes) !== undefined
  }

  getRoot(): RepoRoot | null {
    const row = this.stmts.root.get() as { cid: Uint8Array; rev: string } | undefined
    return row ? { cid: CID.decode(view(row.cid).slice()), rev: row.rev } : null
  }

  /** See the module comment. Throws RepoError (and changes nothing) if the commit does not follow the root. */
  applyCommit(commit: CommitData): void {
    this.applyTx(commit)
  }

  private applyInTx(commit: CommitData): void {
    const root = this.getRoot()
    const follows = root === null ? commit.prev === null : commit.prev?.equals(root.cid) === true
    if (!follows) {
      throw new RepoError(`commit ${commit.cid} does not follow the stored root ${root ? root.cid : '(none)'}`)
    }
    const s = this.stmts
    const changes = [...refChanges(commit).values()]
    for (const b of commit.newBlocks) s.insert.run(b.cid.bytes, b.bytes)
    for (const { cid, delta } of changes) if (delta !== 0) s.addRefs.run(delta, cid.bytes)
    // Blocks just inserted that nothing references (none in practice) must not linger either.
    for (const b of commit.newBlocks) s.dropIfUnused.run(b.cid.bytes)
    for (const { cid, delta } of changes) if (delta < 0) s.dropIfUnused.run(cid.bytes)
    s.setRoot.run(commit.cid.bytes, commit.rev)
  }

  /** Deletes every block and the root (e.g. before importing a repository over an old one). */
  clear(): void {
    this.db.exec('DELETE FROM repo_block; DELETE FROM repo_root;')
  }

  /** Number of stored blocks. */
  countBlocks(): number {
    return (this.stmts.count.get() as { n: number }).n
  }

  /** Every stored block's CID. */
  *cids(): Generator<CID> {
    for (const row of this.stmts.all.iterate() as Iterable<{ cid: Uint8Array }>) yield CID.decode(view(row.cid).slice())
  }

  close(): void {
    this.db.close()
  }
}

function prepare(db: BetterSqlite3.Database) {
  return {
    get: db.prepare('SELECT bytes FROM repo_block WHERE cid = ?'),
    has: db.prepare('SELECT 1 FROM repo_block WHERE cid = ?').pluck(),
    root: db.prepare('SELECT cid, rev FROM repo_root WHERE id = 0'),
    insert: db.prepare('INSERT INTO repo_block (cid, bytes, refs) VALUES (?, ?, 0) ON CONFLICT (cid) DO NOTHING'),
    addRefs: db.prepare('UPDATE repo_block SET refs = refs + ? WHERE cid = ?'),
    dropIfUnused: db.prepare('DELETE FROM repo_block WHERE cid = ? AND refs <= 0'),
    setRoot: db.prepare(
      'INSERT INTO repo_root (id, cid, rev) VALUES (0, ?, ?) ON CONFLICT (id) DO UPDATE SET cid = excluded.cid, rev = excluded.rev',
    ),
    count: db.prepare('SELECT count(*) AS n FROM repo_block'),
    all: db.prepare('SELECT cid FROM repo_block'),
  }
}
