/**
 * The firehose events of com.atproto.sync.subscribeRepos, built as complete event-stream frames (header +
 * body, seq and time included) so they are encoded once, stored, and sent as they are to every consumer.
 *
 * `#commit` follows sync 1.1: `blocks` is a CAR (root = the commit) holding exactly the commit block and
 * CommitData.eventBlocks (new MST nodes, covering proofs of every op, created/updated records); ops carry
 * `prev` for updates and deletes; `prevData` is the previous MST root; the deprecated `rebase`/`tooBig`
 * are false and `blobs` is empty. Limits (≤ 200 ops, blocks ≤ 2 MB, frame ≤ 5 MB) are asserted here as a
 * last line of defence — the write path should refuse such writes earlier with a clearer error.
 */
import { type Block, type CID, writeCarBytes } from '@stratus/core/data'
import type { CommitData } from '@stratus/core/repo'
import { encodeMessageFrame } from '@stratus/core/xrpc'

export const MAX_COMMIT_OPS = 200
export const MAX_BLOCKS_BYTES = 2_000_000
export const MAX_FRAME_BYTES = 5_000_000

export type EventType = 'commit' | 'sync' | 'identity' | 'account'

/** Account `status` values of `#account` (lexicon knownValues). */
export type AccountEventStatus =
  | 'takendown'
  | 'suspended'
  | 'deleted'
  | 'deactivated'
  | 'desynchronized'
  | 'throttled'
  | (string & {})

export class FirehoseLimitError extends Error {
  override name = 'FirehoseLimitError'
}

/** Commit block first (readers find the root at once), then the rest of the event's blocks. */
function commitCar(commitCid: CID, commitBytes: Uint8Array, rest: Iterable<Block>): Uint8Array {
  const blocks: Block[] = [{ cid: commitCid, bytes: commitBytes }]
  for (const b of rest) if (!b.cid.equals(commitCid)) blocks.push(b)
  return writeCarBytes([commitCid], blocks)
}

export function commitFrame(seq: number, time: string, commit: CommitData): Uint8Array {
  if (commit.ops.length > MAX_COMMIT_OPS) {
    throw new FirehoseLimitError(`commit has ${commit.ops.length} ops (firehose limit ${MAX_COMMIT_OPS})`)
  }
  const commitBytes = commit.eventBlocks.get(commit.cid) ?? commit.newBlocks.get(commit.cid)
  if (!commitBytes) throw new Error(`commit block ${commit.cid} missing from the commit's blocks`)
  const blocks = commitCar(commit.cid, commitBytes, commit.eventBlocks)
  if (blocks.byteLength > MAX_BLOCKS_BYTES) {
    throw new FirehoseLimitError(`commit blocks are ${blocks.byteLength} bytes (firehose limit ${MAX_BLOCKS_BYTES})`)
  }
  const body = {
    seq,
    rebase: false,
    tooBig: false,
    repo: commit.did,
    commit: commit.cid,
    rev: commit.rev,
    since: commit.since,
    blocks,
    ops: commit.ops.map((op) =>
      op.prev
        ? { action: op.action, path: op.path, cid: op.cid, prev: op.prev }
        : { action: op.action, path: op.path, cid: op.cid },
    ),
    blobs: [],
    prevData: commit.prevData ?? undefined,
    time,
  }
  return checkedFrame('#commit', body)
}

export function syncFrame(
  seq: number,
  time: string,
  did: string,
  commitCid: CID,
  commitBytes: Uint8Array,
  rev: string,
): Uint8Array {
  const blocks = commitCar(commitCid, commitBytes, [])
  return checkedFrame('#sync', { seq, did, blocks, rev, time })
}

export function identityFrame(seq: number, time: string, did: string, handle?: string): Uint8Array {
  return checkedFrame('#identity', handle ? { seq, did, time, handle } : { seq, did, time })
}

export function accountFrame(seq: number, time: string, did: string, active: boolean, status?: string): Uint8Array {
  const body = !active && status ? { seq, did, time, active, status } : { seq, did, time, active }
  return checkedFrame('#account', body)
}

/** `#info` is never stored: it is sent to one consumer (OutdatedCursor). */
export function infoFrame(name: string, message?: string): Uint8Array {
  return encodeMessageFrame('#info', message === undefined ? { name } : { name, message })
}

function checkedFrame(t: string, body: Record<string, unknown>): Uint8Array {
  const frame = encodeMessageFrame(t, body)
  if (frame.byteLength > MAX_FRAME_BYTES) {
    throw new FirehoseLimitError(`${t} frame is ${frame.byteLength} bytes (firehose limit ${MAX_FRAME_BYTES})`)
  }
  return frame
}
