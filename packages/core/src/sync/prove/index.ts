/**
 * `@stratus/core/sync/prove`: the stateless commit proof alone (`proveCommit`: signature + sync 1.1
 * inversion), for verifier threads (see `SyncOptions.verifier`) that need not load the whole kit.
 */
export { proveCommit, type CommitProof } from '../repo-check.ts'
export type { CommitMessage } from '../messages.ts'
