/**
 * The author's records written after the revision an AppView says it has indexed (the `atproto-repo-rev`
 * header of its answer): the profile and the posts that read-after-write adds to proxied views. Read from
 * the repo module's record index (`record` joined with `repo_block`, ordered by `repo_rev`; read-only),
 * with values in the JSON form views carry. At most MAX_RECORDS rows are looked at: an AppView that far
 * behind gets no patching beyond them.
 */
import { lexToJson } from '@stratus/core/data'
import { decodeCbor } from '@stratus/core/data'
import { CID } from '@stratus/core/data'
import type { PdsDatabase } from '../db/index.ts'

const MAX_RECORDS = 1000
export const POST = 'app.bsky.feed.post'
export const PROFILE = 'app.bsky.actor.profile'

export interface LocalRecord {
  uri: string
  cid: string
  /** When this PDS stored it (ISO). */
  indexedAt: string
  /** The record in JSON form (blob refs as `{$type: 'blob', ref: {$link}}`). */
  record: Record<string, unknown>
}

export interface LocalRecords {
  /** Every record written since the revision, of any collection. */
  count: number
  profile: LocalRecord | null
  /** Oldest first. */
  posts: LocalRecord[]
}

interface Row {
  collection: string
  rkey: string
  cid: Uint8Array
  indexed_at: string
  bytes: Uint8Array
}

const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

export function localRecordsSince(db: PdsDatabase, did: string, rev: string): LocalRecords {
  const rows = db
    .stmt(
      `SELECT r.collection, r.rkey, r.cid, r.indexed_at, b.bytes FROM record r
       JOIN repo_block b ON b.did = r.did AND b.cid = r.cid
       WHERE r.did = ? AND r.repo_rev > ? ORDER BY r.repo_rev, r.collection, r.rkey LIMIT ?`,
    )
    .all(did, rev, MAX_RECORDS) as Row[]
  const out: LocalRecords = { count: rows.length, profile: null, posts: [] }
  for (const r of rows) {
    if (r.collection !== POST && !(r.collection === PROFILE && r.rkey === 'self')) continue
    let record: Record<string, unknown>
    try {
      record = lexToJson(decodeCbor(view(r.bytes))) as Record<string, unknown>
    } catch {
      continue
    }
    const local = {
      uri: `at://${did}/${r.collection}/${r.rkey}`,
      cid: CID.decode(view(r.cid).slice()).toString(),
      indexedAt: r.indexed_at,
      record,
    }
    if (r.collection === POST) out.posts.push(local)
    else out.profile = local
  }
  return out
}

/** Milliseconds since the oldest local record the AppView has not seen (the Atproto-Upstream-Lag header). */
export function localLag(local: LocalRecords): number | undefined {
  let oldest = local.profile?.indexedAt
  for (const p of local.posts) if (!oldest || p.indexedAt < oldest) oldest = p.indexedAt
  return oldest ? Date.now() - Date.parse(oldest) : undefined
}
