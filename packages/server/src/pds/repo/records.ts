/**
 * The record index (`record` rows: which record CID each `collection/rkey` of an account holds now, with
 * the repo rev that wrote it) and the backlinks of likes, reposts, follows and blocks. Kept in step with
 * the MST by the write path, in the same transaction; reads (getRecord, listRecords, describeRepo) come
 * from here and the block table, never from walking the tree.
 *
 * Backlinks follow the official PDS: a like or repost links its `subject.uri`, a follow or block its
 * `subject` DID; createRecord uses them to replace an earlier record with the same subject.
 */
import { CID, type LexValue, decodeCbor } from '@stratus/core/data'
import { isValidAtUri, isValidDid } from '@stratus/core/syntax'
import type { PdsDatabase } from '../db/index.ts'

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

export interface StoredRecord {
  cid: CID
  value: LexValue
  bytes: Uint8Array
}

export interface ListedRecord {
  uri: string
  cid: CID
  value: LexValue
}

export interface ListRecordsOptions {
  limit: number
  /** An rkey: records after it in the listing order (exclusive). */
  cursor?: string
  /** Oldest first (ascending rkey) instead of the default newest first. */
  reverse?: boolean
}

export interface Backlink {
  path: string
  linkTo: string
}

export function recordUri(did: string, collection: string, rkey: string): string {
  return `at://${did}/${collection}/${rkey}`
}

/**
 * Inserts or replaces the index row (and its backlinks) of a created or updated record. `isNew`: the key
 * held no record before this commit (so it has no backlinks to drop).
 */
export function indexRecord(
  db: PdsDatabase,
  did: string,
  w: { collection: string; rkey: string; cid: CID; record: unknown },
  rev: string,
  now: string,
  isNew = false,
): void {
  db.stmt(
    `INSERT INTO record (did, collection, rkey, cid, repo_rev, indexed_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (did, collection, rkey) DO UPDATE SET cid = excluded.cid, repo_rev = excluded.repo_rev, indexed_at = excluded.indexed_at`,
  ).run(did, w.collection, w.rkey, w.cid.bytes, rev, now)
  if (!isNew)
    db.stmt('DELETE FROM backlink WHERE did = ? AND collection = ? AND rkey = ?').run(did, w.collection, w.rkey)
  const links = backlinksOf(w.collection, w.record)
  if (links.length === 0) return
  const insert = db.stmt(
    'INSERT INTO backlink (did, collection, rkey, path, link_to) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  )
  for (const b of links) insert.run(did, w.collection, w.rkey, b.path, b.linkTo)
}

/** Removes the index row and backlinks of a deleted record. */
export function unindexRecord(db: PdsDatabase, did: string, collection: string, rkey: string): void {
  db.stmt('DELETE FROM record WHERE did = ? AND collection = ? AND rkey = ?').run(did, collection, rkey)
  db.stmt('DELETE FROM backlink WHERE did = ? AND collection = ? AND rkey = ?').run(did, collection, rkey)
}

/** Drops the whole index of an account (before an import rebuilds it). */
export function clearRecordIndex(db: PdsDatabase, did: string): void {
  db.stmt('DELETE FROM record WHERE did = ?').run(did)
  db.stmt('DELETE FROM backlink WHERE did = ?').run(did)
}

/** The current CID of a record, from the index. */
export function recordCid(db: PdsDatabase, did: string, collection: string, rkey: string): CID | null {
  const row = db
    .stmt('SELECT cid FROM record WHERE did = ? AND collection = ? AND rkey = ?')
    .get(did, collection, rkey) as { cid: Uint8Array } | undefined
  return row ? CID.decode(view(row.cid).slice()) : null
}

export function getRecord(db: PdsDatabase, did: string, collection: string, rkey: string): StoredRecord | null {
  const row = db
    .stmt(
      `SELECT r.cid, b.bytes FROM record r JOIN repo_root rr ON rr.did = r.did JOIN repo_block b ON b.repo = rr.id AND b.cid = r.cid
       WHERE r.did = ? AND r.collection = ? AND r.rkey = ?`,
    )
    .get(did, collection, rkey) as { cid: Uint8Array; bytes: Uint8Array } | undefined
  if (!row) return null
  const bytes = view(row.bytes)
  return { cid: CID.decode(view(row.cid).slice()), value: decodeCbor(bytes), bytes }
}

const LIST_SQL = {
  desc: `SELECT r.rkey, r.cid, b.bytes FROM record r JOIN repo_root rr ON rr.did = r.did JOIN repo_block b ON b.repo = rr.id AND b.cid = r.cid
         WHERE r.did = ? AND r.collection = ? AND r.rkey < ? ORDER BY r.rkey DESC LIMIT ?`,
  asc: `SELECT r.rkey, r.cid, b.bytes FROM record r JOIN repo_root rr ON rr.did = r.did JOIN repo_block b ON b.repo = rr.id AND b.cid = r.cid
        WHERE r.did = ? AND r.collection = ? AND r.rkey > ? ORDER BY r.rkey ASC LIMIT ?`,
}

/** Records of one collection, newest (highest rkey) first unless `reverse`; `cursor` is the last rkey seen. */
export function listRecords(
  db: PdsDatabase,
  did: string,
  collection: string,
  opts: ListRecordsOptions,
): { records: ListedRecord[]; cursor?: string } {
  // Record keys are at most 512 printable ASCII characters, all below U+FFFF.
  const bound = opts.cursor ?? (opts.reverse ? '' : '\uffff')
  const rows = db.stmt(opts.reverse ? LIST_SQL.asc : LIST_SQL.desc).all(did, collection, bound, opts.limit) as {
    rkey: string
    cid: Uint8Array
    bytes: Uint8Array
  }[]
  const records = rows.map((r) => ({
    uri: recordUri(did, collection, r.rkey),
    cid: CID.decode(view(r.cid).slice()),
    value: decodeCbor(view(r.bytes)),
  }))
  const last = rows[rows.length - 1]
  return { records, cursor: last?.rkey }
}

/** Every collection holding at least one record, in NSID order (one index probe per collection). */
export function listCollections(db: PdsDatabase, did: string): string[] {
  const rows = db
    .stmt(
      `WITH RECURSIVE c(name) AS (
         SELECT (SELECT min(collection) FROM record WHERE did = @did)
         UNION ALL
         SELECT (SELECT min(collection) FROM record WHERE did = @did AND collection > c.name) FROM c WHERE c.name IS NOT NULL
       ) SELECT name FROM c WHERE name IS NOT NULL`,
    )
    .all({ did }) as { name: string }[]
  return rows.map((r) => r.name)
}

/** Number of records an account holds. */
export function countRecords(db: PdsDatabase, did: string): number {
  return (db.stmt('SELECT count(*) AS n FROM record WHERE did = ?').get(did) as { n: number }).n
}

/** The backlinks a record carries (see the module comment). */
export function backlinksOf(collection: string, record: unknown): Backlink[] {
  if (typeof record !== 'object' || record === null) return []
  const subject = (record as { subject?: unknown }).subject
  if (collection === 'app.bsky.graph.follow' || collection === 'app.bsky.graph.block') {
    return typeof subject === 'string' && isValidDid(subject) ? [{ path: 'subject', linkTo: subject }] : []
  }
  if (collection === 'app.bsky.feed.like' || collection === 'app.bsky.feed.repost') {
    const uri = typeof subject === 'object' && subject !== null ? (subject as { uri?: unknown }).uri : undefined
    return typeof uri === 'string' && isValidAtUri(uri) ? [{ path: 'subject.uri', linkTo: uri }] : []
  }
  return []
}

/** Record keys of the account's records in `collection` that link where `links` do (duplicates to replace). */
export function backlinkConflicts(db: PdsDatabase, did: string, collection: string, links: Backlink[]): string[] {
  const out: string[] = []
  const stmt = db.stmt('SELECT rkey FROM backlink WHERE did = ? AND collection = ? AND path = ? AND link_to = ?')
  for (const b of links) {
    for (const row of stmt.all(did, collection, b.path, b.linkTo) as { rkey: string }[]) out.push(row.rkey)
  }
  return out
}
