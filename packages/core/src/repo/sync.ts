/**
 * Sync 1.1 checks of firehose events, for relays and other consumers.
 *
 * `verifyCommitEvent` checks a `#commit` event on its own: the CAR parses and its root is the event's
 * commit; the commit is for the event's DID, carries the event's rev and is signed by the given key; the
 * ops are well formed (valid keys, no key twice, cid/prev present as each action requires) and agree with
 * the new tree; and inverting them on the partial tree the event carries — delete what was created, put
 * back the prev of what was updated or deleted — yields exactly `prevData`. A node the inversion needs
 * but the event lacks fails the check ('missing-block'), as does any other mismatch ('inversion-failed').
 *
 * Not checked here (the caller's state): that `since`/`prevData` match the last commit the caller saw
 * (pass `prevData` to have it compared), that rev is newer than the last one and not in the future.
 */
import { type CarBlocks, CID, readCarBlocks } from '../data/index.ts'
import { type Commit, verifyCommit } from './commit.ts'
import { MissingBlockError, RepoVerificationError } from './errors.ts'
import { isValidMstKey } from './keys.ts'
import { Mst } from './mst.ts'
import type { RepoOp } from './types.ts'

/** The fields of a `#commit` event this check reads (data-model form: CIDs as CID objects). */
export interface CommitEvent {
  repo: string
  commit: CID
  rev: string
  since?: string | null
  /** CAR slice. */
  blocks: Uint8Array
  ops: RepoOp[]
  prevData?: CID | null
}

export interface VerifyCommitEventOptions {
  /** The account's current signing key (did:key). */
  signingKey: string
  /** The data root of the last commit the caller verified; compared with the event's prevData. */
  prevData?: CID
  /** Most ops accepted (spec: 200). */
  maxOps?: number
  /** Largest `blocks` accepted in bytes (spec: 2 MiB). */
  maxBlocksBytes?: number
  /** Also require the record block of every create/update (default false). */
  requireRecordBlocks?: boolean
}

export interface VerifiedCommitEvent {
  commitCid: CID
  commit: Commit
  /** The carried blocks (hash-checked). */
  blocks: CarBlocks
}

export const MAX_EVENT_OPS = 200
export const MAX_EVENT_BLOCKS_BYTES = 2 * 1024 * 1024

function fail(
  code: 'bad-car' | 'bad-ops' | 'too-large' | 'bad-rev' | 'inversion-failed' | 'missing-block',
  msg: string,
): never {
  throw new RepoVerificationError(code, msg)
}

export function verifyCommitEvent(evt: CommitEvent, opts: VerifyCommitEventOptions): VerifiedCommitEvent {
  const maxOps = opts.maxOps ?? MAX_EVENT_OPS
  if (!Array.isArray(evt.ops)) fail('bad-ops', 'ops is not a list')
  if (evt.ops.length > maxOps) fail('too-large', `${evt.ops.length} ops (limit ${maxOps})`)
  if (!(evt.blocks instanceof Uint8Array)) fail('bad-car', 'blocks is not a byte string')
  const maxBytes = opts.maxBlocksBytes ?? MAX_EVENT_BLOCKS_BYTES
  if (evt.blocks.length > maxBytes) fail('too-large', `blocks is ${evt.blocks.length} bytes (limit ${maxBytes})`)
  let car: ReturnType<typeof readCarBlocks>
  try {
    car = readCarBlocks(evt.blocks)
  } catch (err) {
    fail('bad-car', `bad blocks CAR: ${(err as Error).message}`)
  }
  if (!(evt.commit instanceof CID)) fail('bad-car', 'commit is not a CID')
  if (car.roots.length < 1 || !car.roots[0].equals(evt.commit)) fail('bad-car', 'CAR root is not the event commit')
  const store = car.blocks
  const commitBytes = store.get(evt.commit)
  if (!commitBytes) fail('missing-block', `event lacks its commit block ${evt.commit}`)
  const commit = verifyCommit(commitBytes, { did: evt.repo, signingKey: opts.signingKey })
  if (commit.rev !== evt.rev) fail('bad-rev', `event rev ${evt.rev} differs from the commit's ${commit.rev}`)
  const prevData = evt.prevData
  if (!(prevData instanceof CID)) fail('inversion-failed', 'event has no prevData (not a sync 1.1 commit)')
  if (opts.prevData && !opts.prevData.equals(prevData)) {
    fail('inversion-failed', `event prevData ${prevData} is not the last known data ${opts.prevData}`)
  }
  checkOps(evt.ops, store, opts.requireRecordBlocks ?? false)
  invertOps(store, commit, evt.ops, prevData)
  return { commitCid: evt.commit, commit, blocks: store }
}

function checkOps(ops: RepoOp[], store: CarBlocks, requireRecords: boolean): void {
  const paths = new Set<string>()
  for (const op of ops) {
    const { action, path, cid, prev } = op
    if (typeof path !== 'string' || !isValidMstKey(path)) fail('bad-ops', `op has an invalid path ${String(path)}`)
    if (paths.has(path)) fail('bad-ops', `more than one op for ${path}`)
    paths.add(path)
    const hasCid = cid instanceof CID
    const hasPrev = prev instanceof CID
    if (prev !== undefined && prev !== null && !hasPrev) fail('bad-ops', `op ${path}: prev is not a CID`)
    if (action === 'create') {
      if (!hasCid) fail('bad-ops', `create ${path} has no cid`)
      if (hasPrev) fail('bad-ops', `create ${path} has a prev`)
    } else if (action === 'update') {
      if (!hasCid || !hasPrev) fail('bad-ops', `update ${path} needs both cid and prev`)
    } else if (action === 'delete') {
      if (cid !== null && cid !== undefined) fail('bad-ops', `delete ${path} has a cid`)
      if (!hasPrev) fail('bad-ops', `delete ${path} has no prev`)
    } else fail('bad-ops', `op ${path} has unknown action ${String(action)}`)
    if (requireRecords && hasCid && !store.has(cid)) fail('missing-block', `event lacks the record block of ${path}`)
  }
}

/** Undoes the ops on the carried partial tree and compares the result with prevData. */
function invertOps(store: CarBlocks, commit: Commit, ops: RepoOp[], prevData: CID): void {
  try {
    let mst = Mst.load(store, commit.data)
    for (const op of ops) {
      const found = mst.get(op.path)
      if (op.action === 'delete') {
        if (found !== null) fail('inversion-failed', `deleted ${op.path} is still in the tree`)
        mst = mst.add(op.path, op.prev as CID)
      } else {
        if (found === null || !found.equals(op.cid as CID)) {
          fail('inversion-failed', `${op.action}d ${op.path} does not have the op's cid in the tree`)
        }
        mst = op.action === 'create' ? mst.delete(op.path) : mst.update(op.path, op.prev as CID)
      }
    }
    const root = mst.rootCid()
    if (!root.equals(prevData)) fail('inversion-failed', `inverted ops give ${root}, not prevData ${prevData}`)
  } catch (err) {
    if (err instanceof MissingBlockError)
      fail('missing-block', `event lacks a block the inversion needs: ${err.message}`)
    if (err instanceof RepoVerificationError) throw err
    throw new RepoVerificationError('inversion-failed', `inversion failed: ${(err as Error).message}`)
  }
}

/** Checks a `#sync` event: a CAR holding just the signed commit, for the event's DID and rev. */
export function verifySyncEvent(
  evt: { did: string; rev: string; blocks: Uint8Array },
  opts: { signingKey: string },
): { commitCid: CID; commit: Commit } {
  let car: ReturnType<typeof readCarBlocks>
  try {
    car = readCarBlocks(evt.blocks)
  } catch (err) {
    fail('bad-car', `bad blocks CAR: ${(err as Error).message}`)
  }
  if (car.roots.length !== 1) fail('bad-car', 'sync event CAR must have one root')
  const commitCid = car.roots[0]
  const bytes = car.blocks.get(commitCid)
  if (!bytes) fail('missing-block', `event lacks its commit block ${commitCid}`)
  const commit = verifyCommit(bytes, { did: evt.did, signingKey: opts.signingKey })
  if (commit.rev !== evt.rev) fail('bad-rev', `event rev ${evt.rev} differs from the commit's ${commit.rev}`)
  return { commitCid, commit }
}
