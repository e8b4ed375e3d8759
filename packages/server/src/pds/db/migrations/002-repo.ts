/**
 * Repositories of every account in the shared database:
 * - `repo_root`: the head commit per account, WITH its block (`commit_bytes`): the commit changes on every
 *   write, and keeping it out of `repo_block` saves two random index updates per write.
 * - `repo_block`: the MST nodes and records reachable from the head (reference-counted, so a write deletes
 *   the blocks it orphans), keyed by the root row's integer `id` (short index entries: this index takes
 *   most of the pages a write dirties) and the binary CID. A rowid table, so new blocks append.
 * - `record`: the record index getRecord/listRecords read (AT-URI `at://<did>/<collection>/<rkey>`).
 * - `backlink`: subjects of likes, reposts, follows and blocks (duplicates are replaced).
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations run before any typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE repo_root (
      id INTEGER PRIMARY KEY NOT NULL,
      did TEXT NOT NULL UNIQUE,
      cid BLOB NOT NULL,
      rev TEXT NOT NULL,
      commit_bytes BLOB NOT NULL,
      indexed_at TEXT NOT NULL
    )`.execute(db)
  await sql`
    CREATE TABLE repo_block (
      repo INTEGER NOT NULL,
      cid BLOB NOT NULL,
      bytes BLOB NOT NULL,
      refs INTEGER NOT NULL
    )`.execute(db)
  await sql`CREATE UNIQUE INDEX repo_block_cid_idx ON repo_block (repo, cid)`.execute(db)
  await sql`
    CREATE TABLE record (
      did TEXT NOT NULL,
      collection TEXT NOT NULL,
      rkey TEXT NOT NULL,
      cid BLOB NOT NULL,
      repo_rev TEXT NOT NULL,
      indexed_at TEXT NOT NULL,
      PRIMARY KEY (did, collection, rkey)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX record_rev_idx ON record (did, repo_rev)`.execute(db)
  await sql`
    CREATE TABLE backlink (
      did TEXT NOT NULL,
      collection TEXT NOT NULL,
      rkey TEXT NOT NULL,
      path TEXT NOT NULL,
      link_to TEXT NOT NULL,
      PRIMARY KEY (did, collection, rkey, path)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX backlink_link_idx ON backlink (did, collection, path, link_to)`.execute(db)
}
