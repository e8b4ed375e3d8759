/**
 * Blob storage: files on disk, content-addressed per account (`<dataDir>/blobs/<did>/<raw CID>`), with one
 * `blob` row each. The lifecycle:
 *   upload    → file written, row with temp = 1 (not served; `getBlob` answers null)
 *   a record references it (inside the record's write transaction) → temp = 0 (served)
 *   the last record referencing it goes → row deleted in that transaction, file removed right after commit
 *   never referenced within the grace period → the sweeper deletes row and file
 * A record may only reference blobs this account uploaded (400 BlobNotFound otherwise), with the size
 * and media type the upload got (InvalidSize / InvalidMimeType), as the official PDS checks.
 *
 * Crash safety: a file is renamed into place before its row commits and removed only after its row is
 * gone, so a kill -9 can leave at most an orphaned file (ignored; overwritten by a re-upload), never a row
 * without its file. With synchronous=FULL, uploads are also fsynced before they are acknowledged.
 */
import { createReadStream, mkdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { type BlobRef, CID } from '@stratus/core/data'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsDatabase } from '../db/index.ts'
import { receiveBlob } from './upload.ts'

export interface BlobsOptions {
  /** `<dataDir>/blobs`. */
  dir: string
  /** Largest upload in bytes. */
  maxBytes: number
  /** How long an unreferenced upload is kept (default 1 h; never less). */
  graceMs?: number
  /** fsync uploads before acknowledging them (with sqlite synchronous=FULL). */
  fsync?: boolean
  /** Clock in ms (tests inject one). */
  now?: () => number
  onError?: (err: unknown) => void
}

export interface ServedBlob {
  mimeType: string
  size: number
  stream(): AsyncIterable<Uint8Array>
}

export interface UploadedBlob {
  $type: 'blob'
  ref: CID
  mimeType: string
  size: number
}

/** A blob reference as the write path hands it over: typed refs from records. */
export type RecordBlobLink = { collection: string; rkey: string; blobs: BlobRef[] }

export const MIN_GRACE_MS = 60 * 60 * 1000
const SWEEP_BATCH = 500

export class PdsBlobs {
  readonly dir: string
  readonly tempDir: string
  readonly maxBytes: number
  readonly graceMs: number
  /** Replaceable clock (tests). */
  now: () => number
  private readonly fsync: boolean
  private readonly onError: (err: unknown) => void
  private readonly madeDirs = new Set<string>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    readonly db: PdsDatabase,
    opts: BlobsOptions,
  ) {
    this.dir = opts.dir
    this.tempDir = join(opts.dir, '.tmp')
    this.maxBytes = opts.maxBytes
    this.graceMs = Math.max(opts.graceMs ?? MIN_GRACE_MS, MIN_GRACE_MS)
    this.fsync = opts.fsync ?? false
    this.now = opts.now ?? Date.now
    this.onError = opts.onError ?? (() => {})
    mkdirSync(this.tempDir, { recursive: true })
  }

  /** Where a blob's file lives. DIDs contain ':' (and '%' in did:web), kept filename-safe. */
  path(did: string, cid: string): string {
    return join(this.dir, did.replaceAll(':', '_'), cid)
  }

  /** Streams an upload to disk and records it as temporary (or permanent, if a record already links it). */
  async upload(did: string, declaredMime: string, body: AsyncIterable<Uint8Array>): Promise<UploadedBlob> {
    const got = await receiveBlob(body, { tempDir: this.tempDir, maxBytes: this.maxBytes, fsync: this.fsync })
    const cid = got.cid.toString()
    const mimeType = got.sniffed ?? (declaredMime || 'application/octet-stream')
    try {
      const final = this.path(did, cid)
      this.ensureDir(final)
      renameSync(got.tempPath, final)
    } catch (err) {
      rmSync(got.tempPath, { force: true })
      throw err
    }
    this.db.transact(() => {
      this.db
        .stmt(
          `INSERT INTO blob (did, cid, mime_type, size, temp, created_at) VALUES (?, ?, ?, ?, 1, ?)
           ON CONFLICT (did, cid) DO UPDATE SET created_at = excluded.created_at WHERE temp = 1`,
        )
        .run(did, cid, mimeType, got.size, new Date(this.now()).toISOString())
      // Imported records may already link this blob (listMissingBlobs): it is permanent at once.
      if (this.db.stmt('SELECT 1 FROM record_blob WHERE did = ? AND blob_cid = ? LIMIT 1').get(did, cid)) {
        this.db.stmt('UPDATE blob SET temp = 0 WHERE did = ? AND cid = ?').run(did, cid)
      }
    })
    return { $type: 'blob', ref: got.cid, mimeType, size: got.size }
  }

  private ensureDir(file: string): void {
    const dir = join(file, '..')
    if (this.madeDirs.has(dir)) return
    mkdirSync(dir, { recursive: true })
    this.madeDirs.add(dir)
  }

  /**
   * Inside a write transaction: drops the blob links of updated/deleted records, links the blobs of
   * created/updated ones (making temporary uploads permanent), and deletes blobs nothing links any more.
   * Returns the CIDs whose files to remove once the transaction has committed ({@link removeFiles}).
   */
  applyLinks(did: string, unlinked: { collection: string; rkey: string }[], linked: RecordBlobLink[]): string[] {
    const released = new Set<string>()
    for (const r of unlinked) for (const cid of this.unlinkRecord(did, r.collection, r.rkey)) released.add(cid)
    const insert = this.db.stmt(
      'INSERT INTO record_blob (did, blob_cid, collection, rkey) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    )
    for (const w of linked) {
      for (const blob of w.blobs) {
        const cid = blob.ref.toString()
        this.makePermanent(did, blob)
        insert.run(did, cid, w.collection, w.rkey)
      }
    }
    return this.deleteUnreferenced(did, released)
  }

  private unlinkRecord(did: string, collection: string, rkey: string): string[] {
    const rows = this.db
      .stmt('DELETE FROM record_blob WHERE did = ? AND collection = ? AND rkey = ? RETURNING blob_cid')
      .all(did, collection, rkey) as { blob_cid: string }[]
    return rows.map((r) => r.blob_cid)
  }

  private makePermanent(did: string, blob: BlobRef): void {
    const cid = blob.ref.toString()
    const row = this.db.stmt('SELECT mime_type, size, temp FROM blob WHERE did = ? AND cid = ?').get(did, cid) as
      | { mime_type: string; size: number; temp: number }
      | undefined
    if (!row) throw new InvalidRequestError(`Could not find blob: ${cid}`, 'BlobNotFound')
    if (row.temp === 0) return
    if (blob.mimeType !== row.mime_type) {
      throw new InvalidRequestError(
        `Referenced Mimetype does not match stored blob. Expected: ${row.mime_type}, Got: ${blob.mimeType}`,
        'InvalidMimeType',
      )
    }
    if (blob.size !== row.size) {
      throw new InvalidRequestError(
        `Referenced Size does not match stored blob. Expected: ${row.size}, Got: ${blob.size}`,
        'InvalidSize',
      )
    }
    this.db.stmt('UPDATE blob SET temp = 0 WHERE did = ? AND cid = ?').run(did, cid)
  }

  private deleteUnreferenced(did: string, cids: Iterable<string>): string[] {
    const gone: string[] = []
    const linked = this.db.stmt('SELECT 1 FROM record_blob WHERE did = ? AND blob_cid = ? LIMIT 1')
    const del = this.db.stmt('DELETE FROM blob WHERE did = ? AND cid = ? AND temp = 0')
    for (const cid of cids) {
      if (linked.get(did, cid)) continue
      if (del.run(did, cid).changes > 0) gone.push(cid)
    }
    return gone
  }

  /**
   * Inside an import transaction: replaces every blob link of the account with `links` (blobs need not
   * exist yet), makes uploads that are now linked permanent, and deletes permanent blobs nothing links.
   * Returns the CIDs whose files to remove after commit.
   */
  replaceLinks(did: string, links: { collection: string; rkey: string; cids: string[] }[]): string[] {
    const before = this.db.stmt('SELECT cid FROM blob WHERE did = ? AND temp = 0').all(did) as { cid: string }[]
    this.db.stmt('DELETE FROM record_blob WHERE did = ?').run(did)
    const insert = this.db.stmt(
      'INSERT INTO record_blob (did, blob_cid, collection, rkey) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    )
    const promote = this.db.stmt('UPDATE blob SET temp = 0 WHERE did = ? AND cid = ? AND temp = 1')
    for (const l of links) {
      for (const cid of l.cids) {
        insert.run(did, cid, l.collection, l.rkey)
        promote.run(did, cid)
      }
    }
    return this.deleteUnreferenced(
      did,
      before.map((r) => r.cid),
    )
  }

  /** Removes the files of blobs whose rows are gone (call after the transaction committed). */
  removeFiles(did: string, cids: string[]): void {
    for (const cid of cids) {
      try {
        unlinkSync(this.path(did, cid))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err)
      }
    }
  }

  /** A blob that a record references (temporary uploads are not served); null otherwise. */
  getBlob(did: string, cid: CID | string): ServedBlob | null {
    const key = cid.toString()
    const row = this.db.stmt('SELECT mime_type, size FROM blob WHERE did = ? AND cid = ? AND temp = 0').get(did, key) as
      | { mime_type: string; size: number }
      | undefined
    if (!row) return null
    const file = this.path(did, key)
    try {
      statSync(file)
    } catch {
      return null
    }
    return { mimeType: row.mime_type, size: row.size, stream: () => createReadStream(file) }
  }

  /** CIDs of blobs referenced by the account's records (optionally by records written after rev `since`). */
  listBlobs(did: string, opts: { since?: string; cursor?: string; limit: number }): CID[] {
    const rows = opts.since
      ? this.db
          .stmt(
            `SELECT DISTINCT rb.blob_cid AS cid FROM record_blob rb
             JOIN record r ON r.did = rb.did AND r.collection = rb.collection AND r.rkey = rb.rkey
             WHERE rb.did = ? AND r.repo_rev > ? AND rb.blob_cid > ? ORDER BY rb.blob_cid LIMIT ?`,
          )
          .all(did, opts.since, opts.cursor ?? '', opts.limit)
      : this.db
          .stmt(
            'SELECT DISTINCT blob_cid AS cid FROM record_blob WHERE did = ? AND blob_cid > ? ORDER BY blob_cid LIMIT ?',
          )
          .all(did, opts.cursor ?? '', opts.limit)
    return (rows as { cid: string }[]).map((r) => CID.parse(r.cid))
  }

  /** Blobs the account's records reference that were never uploaded (after an import). */
  listMissing(did: string, opts: { cursor?: string; limit: number }): { cid: string; recordUri: string }[] {
    const rows = this.db
      .stmt(
        `SELECT rb.blob_cid AS cid, min(rb.collection || '/' || rb.rkey) AS path FROM record_blob rb
         WHERE rb.did = ? AND rb.blob_cid > ?
           AND NOT EXISTS (SELECT 1 FROM blob b WHERE b.did = rb.did AND b.cid = rb.blob_cid AND b.temp = 0)
         GROUP BY rb.blob_cid ORDER BY rb.blob_cid LIMIT ?`,
      )
      .all(did, opts.cursor ?? '', opts.limit) as { cid: string; path: string }[]
    return rows.map((r) => ({ cid: r.cid, recordUri: `at://${did}/${r.path}` }))
  }

  /** Deletes temporary uploads older than the grace period; returns how many. */
  sweep(now = this.now()): number {
    const cutoff = new Date(now - this.graceMs).toISOString()
    const select = this.db.stmt('SELECT did, cid FROM blob WHERE temp = 1 AND created_at < ? LIMIT ?')
    const del = this.db.stmt('DELETE FROM blob WHERE did = ? AND cid = ? AND temp = 1')
    let total = 0
    for (;;) {
      const rows = select.all(cutoff, SWEEP_BATCH) as { did: string; cid: string }[]
      if (rows.length === 0) return total
      this.db.transact(() => {
        for (const r of rows) del.run(r.did, r.cid)
      })
      for (const r of rows) this.removeFiles(r.did, [r.cid])
      total += rows.length
      if (rows.length < SWEEP_BATCH) return total
    }
  }

  /** Sweeps now and then every `intervalMs` (default 10 min) until {@link stop}. */
  start(intervalMs = 10 * 60 * 1000): void {
    if (this.timer) return
    const run = () => {
      try {
        this.sweep()
      } catch (err) {
        this.onError(err)
      }
    }
    run()
    this.timer = setInterval(run, intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Every blob row and file of an account (account deletion). */
  deleteAccount(did: string): void {
    this.db.transact(() => {
      this.db.stmt('DELETE FROM record_blob WHERE did = ?').run(did)
      this.db.stmt('DELETE FROM blob WHERE did = ?').run(did)
    })
    rmSync(join(this.dir, did.replaceAll(':', '_')), { recursive: true, force: true })
  }
}
