/**
 * Takedowns of single records and blobs (com.atproto.admin.updateSubjectStatus / getSubjectStatus;
 * account takedowns are accounts/lifecycle.ts). A record takedown is a row in `record_takedown` keyed by
 * its AT-URI; record reads skip it (see admin/index.ts). A blob takedown is a row in `blob_takedown` AND its
 * file moved out of the blob store into `<dataDir>/blobs-quarantine/<did>/` (as the official PDS
 * quarantines), so no code path can serve the bytes; reversal moves it back.
 *
 * Not done: taking down a record does not change the repository (its CID stays in the MST, the firehose
 * has already carried it); relays and AppViews are told through their own moderation channels.
 */
import { mkdirSync, renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { AtUri, datetimeNow } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsContext } from '../context.ts'
import type { PdsDatabase } from '../db/index.ts'

export function quarantineDir(ctx: Pick<PdsContext, 'cfg'>, did: string): string {
  return join(ctx.cfg.dataDir, 'blobs-quarantine', did.replaceAll(':', '_'))
}

export function recordTakedownRef(db: PdsDatabase, uri: string): string | null {
  const row = db.stmt('SELECT ref FROM record_takedown WHERE uri = ?').get(uri) as { ref: string } | undefined
  return row?.ref ?? null
}

export function blobTakedownRef(db: PdsDatabase, did: string, cid: string): string | null {
  const row = db.stmt('SELECT ref FROM blob_takedown WHERE did = ? AND cid = ?').get(did, cid) as
    | { ref: string }
    | undefined
  return row?.ref ?? null
}

/** True when the account has any taken-down record (a cheap pre-check for listings). */
export function hasRecordTakedowns(db: PdsDatabase, did: string): boolean {
  return db.stmt('SELECT 1 FROM record_takedown WHERE did = ? LIMIT 1').get(did) !== undefined
}

/** Takes a record down (ref) or restores it (null). The record must exist unless restoring. */
export function setRecordTakedown(ctx: PdsContext, uriStr: string, ref: string | null): void {
  const uri = parseRecordUri(uriStr)
  if (ref === null) {
    ctx.db.stmt('DELETE FROM record_takedown WHERE uri = ?').run(uri.toString())
    return
  }
  if (!ctx.repo?.recordCid(uri.host, uri.collection as string, uri.rkey as string)) {
    throw new InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
  }
  ctx.db
    .stmt(
      `INSERT INTO record_takedown (uri, did, ref, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (uri) DO UPDATE SET ref = excluded.ref`,
    )
    .run(uri.toString(), uri.host, ref, datetimeNow())
}

/** Takes a blob down (ref: row + file quarantined) or restores it (null: file back, row gone). */
export function setBlobTakedown(ctx: PdsContext, did: string, cid: string, ref: string | null): void {
  const blobs = ctx.blobs
  if (!blobs) throw new InvalidRequestError('Blobs are not available')
  const stored = join(quarantineDir(ctx, did), cid)
  const live = blobs.path(did, cid)
  if (ref === null) {
    ctx.db.stmt('DELETE FROM blob_takedown WHERE did = ? AND cid = ?').run(did, cid)
    moveIfPresent(stored, live)
    return
  }
  if (!ctx.db.stmt('SELECT 1 FROM blob WHERE did = ? AND cid = ?').get(did, cid)) {
    throw new InvalidRequestError('Blob not found', 'BlobNotFound')
  }
  ctx.db
    .stmt(
      `INSERT INTO blob_takedown (did, cid, ref, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (did, cid) DO UPDATE SET ref = excluded.ref`,
    )
    .run(did, cid, ref, datetimeNow())
  moveIfPresent(live, stored)
}

function moveIfPresent(from: string, to: string): void {
  try {
    mkdirSync(dirname(to), { recursive: true })
    renameSync(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/** An `at://did/collection/rkey` URI naming a record (400 InvalidRequest otherwise). */
export function parseRecordUri(s: string): AtUri {
  let uri: AtUri
  try {
    uri = AtUri.parse(s)
  } catch {
    throw new InvalidRequestError(`Invalid record URI: ${s}`)
  }
  if (!uri.host.startsWith('did:') || !uri.collection || !uri.rkey)
    throw new InvalidRequestError(`Invalid record URI: ${s}`)
  return uri
}
