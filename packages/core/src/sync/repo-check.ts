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
import { CID, decodeCbor, readCar } from '../data/index.ts'
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

const EMPTY_TREE = Mst.empty(new MemoryBlockStore()).rootCid()

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

export async function checkCommit(
  msg: CommitMessage,
  state: RepoState | undefined,
  identity: SyncIdentity,
  filter: CompiledFilter,
  /** Accept an unknown repository's commit on its own terms instead of asking for a resync. */
  trustUnknown = false,
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
  const expected = state?.data ? CID.parse(state.data) : prevData
  try {
    const verified = await withKey(identity, msg.repo, (signingKey) =>
      verifyCommitEvent({ ...msg, prevData }, { signingKey, prevData: expected, requireRecordBlocks: true }),
    )
    const events = recordEvents(msg, verified.blocks, filter)
    return { kind: 'apply', events, state: { rev: msg.rev, data: verified.commit.data.toString(), status: 'active' } }
  } catch (err) {
    if (err instanceof RepoVerificationError) return { kind: 'resync', reason: `${err.code}: ${err.message}` }
    throw err
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
    const events = recordEvents(msg, new MemoryBlockStore(car.blocks), filter)
    return { kind: 'apply', events, state: { rev: msg.rev, data: commit.data.toString(), status: 'active' } }
  } catch (err) {
    return { kind: 'resync', reason: (err as Error).message }
  }
}

function recordEvents(msg: CommitMessage, blocks: MemoryBlockStore, filter: CompiledFilter): RecordEvent[] {
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
    const bytes = op.cid ? blocks.get(op.cid) : undefined
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
