/**
 * The expensive, stateless part of checking one `#commit` or `#sync` frame, run on a worker thread (or
 * inline): strict frame decode, body shape, the account named in the body is the one the main thread
 * resolved the key for, the CAR, the commit (DID, rev, signature with the given key) and for commits the
 * sync 1.1 inversion of the ops back to the event's own `prevData`. On success it also encodes the
 * outgoing frame (frame-parts.ts) so the main thread only splices in the relay's seq.
 *
 * Not checked here (the main thread's state, see processor.ts): that prevData is the last data the relay
 * saw for the account, that rev increases and is not in the future, account status, host and rate limits.
 * A commit whose proof fails but whose signature verifies is reported with `proofError` so the caller can
 * apply the lenient/strict policy. A genesis commit (`since` null, no prevData) is inverted to the empty tree.
 * Records are never validated against lexicons.
 */
import { CID, readCarBlocks } from '@stratus/core/data'
import {
  MemoryBlockStore,
  Mst,
  RepoVerificationError,
  type RepoOp,
  verifyCommit,
  verifyCommitEvent,
  verifyRepoCar,
  verifySyncEvent,
} from '@stratus/core/repo'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { isValidTid } from '@stratus/core/syntax'
import { decodeFrame } from '@stratus/core/xrpc'
import { type FrameParts, frameParts, splitAtSeq } from './frame-parts.ts'
import { seqValueRange } from './peek.ts'

export type VerifyKind = '#commit' | '#sync'

export interface VerifyJob {
  kind: VerifyKind
  did: string
  signingKey: string
  frame: Uint8Array
}

export interface VerifiedFields {
  ok: true
  kind: VerifyKind
  did: string
  rev: string
  /** Commit CID (string form). */
  commit: string
  /** MST root of the new commit. */
  data: string
  /** The event's prevData (commits only; absent on legacy and genesis commits). */
  prevData?: string
  since?: string | null
  parts: FrameParts
  /**
   * Set when `parts` are the job's own frame around its `seq` value ([start, end) byte offsets): whoever
   * holds the same bytes can cut the parts itself (the pool does, so workers send back no frame bytes).
   */
  seqRange?: [number, number]
  /** Set when the signature verified but the sync 1.1 proof did not. */
  proofError?: string
}

export interface FailedJob {
  ok: false
  code: string
  message: string
}

export type VerifyResult = VerifiedFields | FailedJob

/** sync 1.1 limits: the lexicon caps `blocks` at 2,000,000 bytes for #commit and 10,000 for #sync. */
export const MAX_COMMIT_BLOCKS = 2_000_000
export const MAX_SYNC_BLOCKS = 10_000

class BadEvent extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const EMPTY_TREE = Mst.empty(new MemoryBlockStore()).rootCid()

/**
 * Loads the signature backend (a native module on Node) now, on whichever thread will verify or parse
 * keys, instead of on the first event.
 */
export function loadCrypto(): void {
  Secp256k1Keypair.create().did()
}

export function runVerifyJob(job: VerifyJob): VerifyResult {
  try {
    const { header, body } = decodeFrame(job.frame)
    if (header.op !== 1 || header.t !== job.kind) throw new BadEvent('malformed', 'frame type changed after peek')
    const b = body as Record<string, unknown>
    return job.kind === '#commit' ? verifyCommitBody(b, job, job.frame) : verifySyncBody(b, job, job.frame)
  } catch (err) {
    if (err instanceof BadEvent) return { ok: false, code: err.code, message: err.message }
    if (err instanceof RepoVerificationError) return { ok: false, code: err.code, message: err.message }
    return { ok: false, code: 'malformed', message: (err as Error)?.message ?? String(err) }
  }
}

function need(cond: boolean, msg: string, code = 'malformed'): asserts cond {
  if (!cond) throw new BadEvent(code, msg)
}

function checkOps(ops: unknown): RepoOp[] {
  need(Array.isArray(ops), 'ops is not an array')
  for (const op of ops as unknown[]) {
    need(typeof op === 'object' && op !== null && !Array.isArray(op), 'op is not an object')
    const o = op as Record<string, unknown>
    need(typeof o.action === 'string' && typeof o.path === 'string', 'op needs string action and path')
    need(o.cid === null || o.cid instanceof CID, 'op cid must be a CID or null')
    need(o.prev === undefined || o.prev instanceof CID, 'op prev must be a CID')
  }
  return (ops as Record<string, unknown>[]).map((o) => {
    const op: RepoOp = { action: o.action as RepoOp['action'], path: o.path as string, cid: o.cid as CID | null }
    if (o.prev instanceof CID) op.prev = o.prev
    return op
  })
}

const COMMIT_KEYS = [
  'blobs',
  'blocks',
  'commit',
  'ops',
  'prevData',
  'rebase',
  'repo',
  'rev',
  'seq',
  'since',
  'time',
  'tooBig',
]
const SYNC_KEYS = ['blocks', 'did', 'rev', 'seq', 'time']
const OP_KEYS = new Set(['action', 'cid', 'path', 'prev'])

/**
 * The outgoing frame's parts: cut straight out of the received frame when its body is exactly what the
 * relay would emit (no unknown fields, deprecated fields at their fixed values), else re-encoded.
 */
function outputParts(
  t: VerifyKind,
  frame: Uint8Array,
  received: Record<string, unknown>,
  out: Record<string, unknown>,
  allowed: string[],
): { parts: FrameParts; seqRange?: [number, number] } {
  // Same keys: every defined output key received, plus seq, and nothing else (loops: this runs per event).
  let outCount = 0
  let allReceived = true
  for (const k in out) {
    if (out[k] === undefined) continue
    outCount++
    if (!(k in received)) allReceived = false
  }
  const keys = Object.keys(received)
  let known = true
  for (const k of keys) if (!allowed.includes(k)) known = false
  const sameKeys = allReceived && known && keys.length === outCount + 1 && 'seq' in received
  const sameOps =
    t !== '#commit' ||
    (received.rebase === false &&
      received.tooBig === false &&
      received.blobs === out.blobs &&
      (received.ops as Record<string, unknown>[]).every((op) => Object.keys(op).every((k) => OP_KEYS.has(k))))
  const range = sameKeys && sameOps ? seqValueRange(frame) : undefined
  return range ? { parts: splitAtSeq(frame, range), seqRange: range } : { parts: frameParts(t, out) }
}

function verifyCommitBody(b: Record<string, unknown>, job: VerifyJob, frame: Uint8Array): VerifyResult {
  need(b.repo === job.did, 'repo differs from the peeked account')
  need(b.commit instanceof CID, 'commit is not a CID')
  need(typeof b.rev === 'string' && isValidTid(b.rev), 'rev is not a TID', 'bad-rev')
  need(b.since == null || (typeof b.since === 'string' && isValidTid(b.since)), 'since is not a TID or null')
  need(b.blocks instanceof Uint8Array, 'blocks is not bytes')
  need(b.blocks.length <= MAX_COMMIT_BLOCKS, `blocks is ${b.blocks.length} bytes`, 'too-large')
  need(b.prevData === undefined || b.prevData instanceof CID, 'prevData is not a CID')
  need(b.tooBig !== true, 'tooBig commits cannot be verified', 'too-big')
  need(typeof b.time === 'string' && b.time.length <= 64, 'time is not a short string')
  const ops = checkOps(b.ops)
  const since = (b.since ?? null) as string | null
  const prevData = b.prevData as CID | undefined
  const evt = {
    repo: job.did,
    commit: b.commit,
    rev: b.rev,
    since,
    blocks: b.blocks,
    ops,
    prevData: prevData ?? (since === null ? EMPTY_TREE : undefined),
  }
  let data: CID
  let proofError: string | undefined
  try {
    data = verifyCommitEvent(evt, { signingKey: job.signingKey, maxBlocksBytes: MAX_COMMIT_BLOCKS }).commit.data
  } catch (err) {
    if (!(err instanceof RepoVerificationError)) throw err
    if (err.code !== 'inversion-failed' && err.code !== 'missing-block') throw err
    // The proof failed: find out whether the commit itself is genuine (lenient mode passes it).
    proofError = `${err.code}: ${err.message}`
    data = signedCommitData(b.blocks, b.commit, job)
  }
  const blobs = Array.isArray(b.blobs) && b.blobs.every((c) => c instanceof CID) ? b.blobs : []
  const out = {
    rebase: false,
    tooBig: false,
    repo: job.did,
    commit: b.commit,
    rev: b.rev,
    since,
    blocks: b.blocks,
    ops,
    blobs,
    prevData,
    time: b.time,
  }
  return {
    ok: true,
    kind: '#commit',
    did: job.did,
    rev: b.rev,
    commit: b.commit.toString(),
    data: data.toString(),
    prevData: prevData?.toString(),
    since,
    ...outputParts('#commit', frame, b, out, COMMIT_KEYS),
    proofError,
  }
}

function signedCommitData(blocks: Uint8Array, commitCid: CID, job: VerifyJob): CID {
  const bytes = readCarBlocks(blocks).blocks.get(commitCid)
  if (!bytes) throw new RepoVerificationError('missing-block', 'event lacks its commit block')
  return verifyCommit(bytes, { did: job.did, signingKey: job.signingKey }).data
}

function verifySyncBody(b: Record<string, unknown>, job: VerifyJob, frame: Uint8Array): VerifyResult {
  need(b.did === job.did, 'did differs from the peeked account')
  need(typeof b.rev === 'string' && isValidTid(b.rev), 'rev is not a TID', 'bad-rev')
  need(b.blocks instanceof Uint8Array, 'blocks is not bytes')
  need(b.blocks.length <= MAX_SYNC_BLOCKS, `sync blocks is ${b.blocks.length} bytes`, 'too-large')
  need(typeof b.time === 'string' && b.time.length <= 64, 'time is not a short string')
  const { commitCid, commit } = verifySyncEvent(
    { did: job.did, rev: b.rev, blocks: b.blocks },
    { signingKey: job.signingKey },
  )
  const out = { did: job.did, rev: b.rev, blocks: b.blocks, time: b.time }
  return {
    ok: true,
    kind: '#sync',
    did: job.did,
    rev: b.rev,
    commit: commitCid.toString(),
    data: commit.data.toString(),
    ...outputParts('#sync', frame, b, out, SYNC_KEYS),
  }
}

/** A whole repository fetched for a resync (com.atproto.sync.getRepo). */
export interface RepoJob {
  did: string
  signingKey: string
  car: Uint8Array
}

export type RepoResult = { ok: true; rev: string; commit: string; data: string; commitBlock: Uint8Array } | FailedJob

/** Verifies a repository CAR completely (tree, commit, signature); record contents are not decoded. */
export function runRepoJob(job: RepoJob): RepoResult {
  try {
    const repo = verifyRepoCar(job.car, { did: job.did, signingKey: job.signingKey, checkRecords: false })
    const block = repo.store.get(repo.commitCid) as Uint8Array
    return {
      ok: true,
      rev: repo.rev,
      commit: repo.commitCid.toString(),
      data: repo.commit.data.toString(),
      commitBlock: block.slice(),
    }
  } catch (err) {
    if (err instanceof RepoVerificationError) return { ok: false, code: err.code, message: err.message }
    return { ok: false, code: 'malformed', message: (err as Error)?.message ?? String(err) }
  }
}
