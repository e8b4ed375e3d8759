/**
 * Repositories: the Merkle Search Tree, signed commits, block stores, CAR import/export, proofs and the
 * sync 1.1 checks. Browser-safe and synchronous (block stores answer synchronously; see blockstore.ts).
 *
 * ## For a PDS (one store per account)
 * ```ts
 * const repo = Repo.create(store, did, keypair)                  // first commit, stored
 * const commit = repo.formatCommit(writes, keypair)              // nothing stored yet
 * //   commit.cid / rev / since / prev / data / prevData
 * //   commit.ops          [{ action, path, cid, prev? }] for the #commit event (prev on update/delete)
 * //   commit.eventBlocks  the exact block set of the event (CAR it with writeCarBytes([commit.cid], …))
 * //   commit.newBlocks / newNodes / removedNodes: what the store adds and drops
 * const next = repo.applyCommit(commit)                          // store.applyCommit(commit) + new Repo
 * next.getRecord(collection, rkey); next.listRecords(collection, { limit, after, reverse })
 * exportRepoCar(store)                                           // com.atproto.sync.getRepo, streaming
 * recordProofCar(store, commitCid, [key])                        // com.atproto.sync.getRecord
 * ```
 * `BlockStore.applyCommit` keeps only blocks reachable from the current commit (reference counts, see
 * blockstore.ts) and refuses a commit that does not follow the stored root. `MemoryBlockStore` is here;
 * the SQLite store is server/repo-store. Serialize writes per account and keep using the Repo returned by
 * the last applyCommit: blocks of older commits are collected. Account import: `verifyRepoCar(car, …)`
 * then `store.applyCommit(verified.toImportCommit())` on an empty store.
 *
 * ## For a relay
 * `verifyCommitEvent(evt, { signingKey, prevData })` checks a `#commit` event: CAR, commit DID/rev/
 * signature, ops, and the sync 1.1 inversion of the ops against the carried blocks back to prevData.
 * `verifySyncEvent` checks a `#sync` event. Failures are RepoVerificationError with a `code`.
 *
 * ## For an AppView / backfill
 * `verifyRepoCar(bytes, { did, signingKey })` (or `verifyRepoCarStream(chunks, …)`) reads a whole CAR and
 * verifies everything (see verify.ts), returning a VerifiedRepo: `.commit`, `.entries` (key order),
 * `.records()` (decoded), `.mst()`. `diffMst(prev, curr)` gives creates/updates/deletes between two trees
 * (and the MST nodes added/removed), reading only the subtrees whose CIDs differ.
 *
 * ## Lower level
 * `Mst` (empty/load, get, add/update/delete/set, list/entries with prefix/after/before/reverse/limit,
 * rootCid), key helpers (`keyHeight`, `isValidMstKey`, `commonPrefixLength`), commits (`signCommit`,
 * `verifyCommit`, `decodeCommit`, `encodeCommit`), proofs (`coveringProof`, `verifyRecordProofs`).
 */
export {
  RepoError,
  InvalidMstKeyError,
  MissingBlockError,
  KeyExistsError,
  KeyNotFoundError,
  RepoVerificationError,
  type VerificationCode,
} from './errors.ts'
export {
  MAX_MST_KEY_LENGTH,
  isValidMstKey,
  ensureValidMstKey,
  keyHeight,
  commonPrefixLength,
  formatDataKey,
  parseDataKey,
} from './keys.ts'
export { BlockMap } from './block-map.ts'
export {
  type ReadableBlockStore,
  type BlockStore,
  type RepoRoot,
  MemoryBlockStore,
  refChanges,
} from './blockstore.ts'
export { Mst, type MstEntry, type ListOptions } from './mst.ts'
export { MstNode } from './node.ts'
export { encodeNode, decodeNode, type NodeData } from './node-codec.ts'
export { diffMst, type MstDiff } from './diff.ts'
export {
  type Commit,
  type UnsignedCommit,
  signCommit,
  verifyCommitSignature,
  encodeCommit,
  decodeCommit,
  verifyCommit,
} from './commit.ts'
export type { RepoOp, RecordWrite, CommitData } from './types.ts'
export { Repo, type CommitOptions, type RecordEntry } from './repo.ts'
export {
  addCoveringProof,
  coveringProof,
  recordProofBlocks,
  recordProofCar,
  verifyRecordProofs,
  type RecordClaim,
} from './proofs.ts'
export {
  repoBlocks,
  exportRepoCar,
  exportRepoCarBytes,
  verifyRepoCar,
  verifyRepoCarStream,
  VerifiedRepo,
  type RepoRecord,
} from './car.ts'
export { verifyRepoTree, type VerifyRepoOptions, type VerifiedTree, DEFAULT_MAX_NODE_ENTRIES } from './verify.ts'
export {
  verifyCommitEvent,
  verifySyncEvent,
  type CommitEvent,
  type VerifyCommitEventOptions,
  type VerifiedCommitEvent,
  MAX_EVENT_OPS,
  MAX_EVENT_BLOCKS_BYTES,
} from './sync.ts'
