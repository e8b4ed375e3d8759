/**
 * Decides what one firehose message means for a repository we track: apply its record operations, skip it
 * (old revision, already applied) or resynchronize the whole repository from its PDS.
 *
 * A `#commit` is applied only when it verifies completely against what we know: signed by the account's
 * current key (fetched again once on failure, for rotations), for the right DID, and its ops inverted on
 * the carried partial tree give exactly `prevData`, which must equal the data root of the last commit we
 * applied (sync 1.1). A repository we have never seen, a broken chain (prevData differs), a commit that
 * fails any check, a `tooBig` commit, or a `#sync` whose data differs from ours all mean "resync". A first
 * commit (`since` null) of an unknown repository is checked against the empty tree instead.
 * Commits without prevData (pre-1.1 hosts) are accepted only when `since` is the rev we hold, and then
 * only their signature is checked (the ops cannot be proven without prevData).
 */
import { type CID, decodeCbor, readCar } from '../data/index.ts'
import {
  MemoryBlockStore,
  Mst,
  RepoVerificationError,
  parseDataKey,
  verifyCommit,
  verifyCommitEvent,
  verifySyncEvent,
} from '../repo/index.ts'
import type { CompiledFilter } from './filter.ts'
import type { SyncIdentity } from './identity.ts'
import type { CommitMessage, SyncMessage } from './messages.ts'
import type { RecordEvent, RepoState } from './types.ts'

export type CheckOutcome =
  | { kind: 'apply'; events: RecordEvent[]; state: RepoState }
  | { kind: 'skip'; reason: string }
  | { kind: 'resync'; reason: string }

/** Data root of the empty tree: what a repository's first commit (`since` null) inverts to. */
export const EMPTY_TREE = Mst.empty(new MemoryBlockStore()).rootCid()

/**
 * The stateless part of a commit check: signed by `signingKey`, the ops invert to `prevData`. Carries what
 * the check needs afterwards (the new data root, the record blocks of creates and updates) so it can run
 * on another thread and be matched with the repository state later.
 */
export type CommitProof =
  | { ok: true; signingKey: string; prevData: string; data: string; records: Map<string, Uint8Array> }
  | { ok: false; signingKey: string; prevData: string; code: string; message: string }

/**
 * Runs `proveCommit` somewhere else (worker threads), so proofs of upcoming commits are computed while
 * the application handles earlier events. Resolve undefined when it could not run: the kit then proves
 * inline. See `SyncOptions.verifier`.
 */
export interface CommitVerifier {
  prove(msg: CommitMessage, signingKey: string, prevData: CID): Promise<CommitProof | undefined>
  /**
   * The kit needs this commit's proof now and it has not arrived: if the job has not started, drop it
   * (its promise resolves undefined; so does a later `prove` of it) so the kit proves it inline instead
   * of waiting.
   */
  withdraw?(msg: CommitMessage): void
  /** Called by `Sync.stop()`. */
  close?(): Promise<void>
}

/** The `prevData` a commit must invert to: its own, or the empty tree for a first commit; null if neither. */
export function claimedPrevData(msg: CommitMessage): CID | null {
  return msg.prevData ?? (msg.since === null ? EMPTY_TREE : null)
}

/** Checks signature and proof of a commit against `prevData` (no repository state involved). */
export function proveCommit(msg: CommitMessage, signingKey: string, prevData: CID): CommitProof {
  const base = { signingKey, prevData: prevData.toString() }
  try {
    const opts = { signingKey, requireRecordBlocks: true }
    const { commit, blocks } = verifyCommitEvent({ ...msg, prevData }, opts)
    const records = new Map<string, Uint8Array>()
    for (const op of msg.ops) {
      const bytes = op.cid ? blocks.get(op.cid) : undefined
      if (bytes) records.set(op.path, bytes)
    }
    return { ok: true, ...base, data: commit.data.toString(), records }
  } catch (err) {
    if (err instanceof RepoVerificationError) return { ok: false, ...base, code: err.code, message: err.message }
    throw err
  }
}

/** The proof under the account's current key: precomputed if it matches, else computed here. */
async function proofFor(
  msg: CommitMessage,
  prevData: CID,
  identity: SyncIdentity,
  pre: Promise<CommitProof | undefined> | undefined,
): Promise<CommitProof> {
  const key = await identity.signingKey(msg.repo)
  const p = pre ? await pre : undefined
  const usable = p && p.signingKey === key && p.prevData === prevData.toString()
  let proof = usable ? p : proveCommit(msg, key, prevData)
  if (!proof.ok && proof.code === 'bad-signature') {
    // The key may have rotated: look it up again once.
    const fresh = await identity.signingKey(msg.repo, true)
    if (fresh !== key) proof = proveCommit(msg, fresh, prevData)
  }
  return proof
}

export async function checkCommit(
  msg: CommitMessage,
  state: RepoState | undefined,
  identity: SyncIdentity,
  filter: CompiledFilter,
  /** Accept an unknown repository's commit on its own terms instead of asking for a resync. */
  trustUnknown = false,
  /** Its proof, computed ahead (CommitVerifier). */
  pre?: Promise<CommitProof | undefined>,
): Promise<CheckOutcome> {
  if (state && msg.rev <= state.rev) return { kind: 'skip', reason: `rev ${msg.rev} is not newer than ${state.rev}` }
  if (msg.tooBig) return { kind: 'resync', reason: 'commit too big to carry its blocks' }
  if (state?.status === 'desynchronized') return { kind: 'resync', reason: 'repository is desynchronized' }
  let prevData = msg.prevData
  if (!state) {
    if (msg.since === null) prevData ??= EMPTY_TREE
    else if (!trustUnknown || prevData === null) return { kind: 'resync', reason: 'repository not seen before' }
  } else if (prevData === null) {
    if (msg.since !== state.rev) return { kind: 'resync', reason: `since ${msg.since} is not our rev ${state.rev}` }
    return applyUnproven(msg, identity, filter)
  }
  if (prevData === null) return { kind: 'resync', reason: 'commit has no prevData' }
  if (state?.data && state.data !== prevData.toString()) {
    return {
      kind: 'resync',
      reason: `inversion-failed: event prevData ${prevData} is not the last known data ${state.data}`,
    }
  }
  const proof = await proofFor(msg, prevData, identity, pre)
  if (!proof.ok) return { kind: 'resync', reason: `${proof.code}: ${proof.message}` }
  try {
    const events = recordEvents(msg, proof.records, filter)
    return { kind: 'apply', events, state: { rev: msg.rev, data: proof.data, status: 'active' } }
  } catch (err) {
    if (err instanceof RepoVerificationError) return { kind: 'resync', reason: `${err.code}: ${err.message}` }
    throw err
  }
}

/** Runs `check(key)`, and once more with a freshly resolved key if the signature did not verify. */
async function withKey<T>(identity: SyncIdentity, did: string, check: (key: string) => T): Promise<T> {
  const key = await identity.signingKey(did)
  try {
    return check(key)
  } catch (err) {
    if (!(err instanceof RepoVerificationError) || err.code !== 'bad-signature') throw err
    const fresh = await identity.signingKey(did, true)
    if (fresh === key) throw err
    return check(fresh)
  }
}

/** A pre-1.1 commit that follows ours: signature only. */
async function applyUnproven(
  msg: CommitMessage,
  identity: SyncIdentity,
  filter: CompiledFilter,
): Promise<CheckOutcome> {
  try {
    const car = readCar(msg.blocks)
    const bytes = car.blocks.get(msg.commit.toString())
    if (!bytes || !car.roots[0]?.equals(msg.commit)) return { kind: 'resync', reason: 'commit block missing' }
    const commit = await withKey(identity, msg.repo, (signingKey) => verifyCommit(bytes, { did: msg.repo, signingKey }))
    if (commit.rev !== msg.rev) return { kind: 'resync', reason: 'rev differs from the commit' }
    const events = recordEvents(msg, car.blocks, filter)
    return { kind: 'apply', events, state: { rev: msg.rev, data: commit.data.toString(), status: 'active' } }
  } catch (err) {
    return { kind: 'resync', reason: (err as Error).message }
  }
}

/** Record events of the ops the filter wants; `blocks` by path (proof) or by CID string (CAR). */
function recordEvents(msg: CommitMessage, blocks: Map<string, Uint8Array>, filter: CompiledFilter): RecordEvent[] {
  const events: RecordEvent[] = []
  for (const op of msg.ops) {
    if (!filter.wantsPath(op.path)) continue
    const { collection, rkey } = parseDataKey(op.path)
    const uri = `at://${msg.repo}/${collection}/${rkey}`
    const base = {
      did: msg.repo,
      collection,
      rkey,
      uri,
      rev: msg.rev,
      source: 'firehose' as const,
      seq: msg.seq,
      time: msg.time,
    }
    if (op.action === 'delete') {
      events.push({ type: 'delete', ...base })
      continue
    }
    const bytes = op.cid ? (blocks.get(op.path) ?? blocks.get(op.cid.toString())) : undefined
    if (!bytes || !op.cid) throw new RepoVerificationError('missing-block', `no record block for ${op.path}`)
    let record: ReturnType<typeof decodeCbor>
    try {
      record = decodeCbor(bytes)
    } catch (err) {
      throw new RepoVerificationError('bad-record', `record ${op.path} is not DAG-CBOR: ${(err as Error).message}`)
    }
    events.push({ type: op.action, ...base, cid: op.cid, record })
  }
  return events
}

/** A `#sync` message: the repository's current commit. Same data as ours → just the rev; else resync. */
export async function checkSync(
  msg: SyncMessage,
  state: RepoState | undefined,
  identity: SyncIdentity,
): Promise<CheckOutcome> {
  if (state && msg.rev <= state.rev) return { kind: 'skip', reason: `rev ${msg.rev} is not newer than ${state.rev}` }
  try {
    const { commit } = await withKey(identity, msg.did, (signingKey) => verifySyncEvent(msg, { signingKey }))
    if (state?.data === commit.data.toString() && state.status === 'active') {
      return { kind: 'apply', events: [], state: { ...state, rev: msg.rev } }
    }
    return { kind: 'resync', reason: 'sync event announces a different tree' }
  } catch (err) {
    if (err instanceof RepoVerificationError) return { kind: 'skip', reason: `invalid sync event: ${err.message}` }
    throw err
  }
}
