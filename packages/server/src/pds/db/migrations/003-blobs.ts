/**
 * Blobs per account. `blob`: one row per uploaded blob (the file is `<dataDir>/blobs/<did>/<cid>`);
 * `temp = 1` while no record references it (not served; deleted after the grace period). `record_blob`:
 * which records reference which blobs (rows may name blobs not uploaded yet after an importRepo; those
 * are what listMissingBlobs reports). CIDs are strings here: listBlobs pages by CID string order.
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations run before any typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE blob (
      did TEXT NOT NULL,
      cid TEXT NOT NULL,
      mime_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      temp INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (did, cid)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX blob_temp_idx ON blob (created_at) WHERE temp = 1`.execute(db)
  await sql`
    CREATE TABLE record_blob (
      did TEXT NOT NULL,
      blob_cid TEXT NOT NULL,
      collection TEXT NOT NULL,
      rkey TEXT NOT NULL,
      PRIMARY KEY (did, blob_cid, collection, rkey)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX record_blob_record_idx ON record_blob (did, collection, rkey)`.execute(db)
}
