/**
 * Repositories of every account in the shared database: the head commit per account (`repo_root`), the
 * blocks reachable from it (`repo_block`, reference-counted so unreachable blocks are deleted by the write
 * that orphans them), the record index that getRecord/listRecords read (`record`; the AT-URI is
 * `at://<did>/<collection>/<rkey>`), and the backlinks of likes, reposts, follows and blocks (`backlink`)
 * used to refuse duplicates. CIDs are binary in `repo_block`/`repo_root`/`record` (compact keys).
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations run before any typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE repo_root (
      did TEXT PRIMARY KEY NOT NULL,
      cid BLOB NOT NULL,
      rev TEXT NOT NULL,
      indexed_at TEXT NOT NULL
    )`.execute(db)
  await sql`
    CREATE TABLE repo_block (
      did TEXT NOT NULL,
      cid BLOB NOT NULL,
      bytes BLOB NOT NULL,
      refs INTEGER NOT NULL
    )`.execute(db)
  await sql`CREATE UNIQUE INDEX repo_block_cid_idx ON repo_block (did, cid)`.execute(db)
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
