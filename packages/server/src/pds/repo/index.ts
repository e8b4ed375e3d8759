/**
 * Repositories on the shared PDS database (`ctx.repo`, with blob storage as `ctx.blobs`): per-account
 * blocks kept to what the current commit reaches, the head commit, the record index and backlinks, and
 * the write path that commits MST + signed commit + index + blob links + firehose event in one
 * transaction (service.ts). Handlers prepare writes with prepare.ts first (lexicon validation, encoding).
 *
 * `installRepo(ctx)` fills the slots, creates the empty first commit of every new account (hook, inside
 * the account transaction, with #identity, #account, #commit in that order) and runs the blob sweeper
 * while the server is up.
 */
import { join } from 'node:path'
import { PdsBlobs } from '../blobs/store.ts'
import type { PdsContext } from '../context.ts'
import { PdsRepo, type RepoSequencer } from './service.ts'

export { AccountBlockStore, readRoot } from './block-store.ts'
export { RepoCache } from './cache.ts'
export { importRepo, importedBlobCids } from './import.ts'
export {
  MAX_RECORD_BYTES,
  blobRefs,
  prepareDelete,
  prepareRecordWrite,
  type PreparedDelete,
  type PreparedRecordWrite,
  type PreparedWrite,
  type RecordWriteInput,
  type ValidationStatus,
} from './prepare.ts'
export { backlinksOf, recordUri, type ListedRecord, type ListRecordsOptions, type StoredRecord } from './records.ts'
export {
  MAX_EVENT_BLOCK_BYTES,
  MAX_WRITES,
  PdsRepo,
  type PdsRepoDeps,
  type RepoSequencer,
  type WriteOptions,
} from './service.ts'

export interface InstallRepoOptions {
  /** Grace period of unreferenced uploads (default and minimum 1 h). */
  blobGraceMs?: number
  /** Clock for the blob sweeper (tests). */
  now?: () => number
}

export function installRepo(ctx: PdsContext, opts: InstallRepoOptions = {}): PdsRepo {
  const blobs = new PdsBlobs(ctx.db, {
    dir: join(ctx.cfg.dataDir, 'blobs'),
    maxBytes: ctx.cfg.blobUploadLimit,
    graceMs: opts.blobGraceMs,
    fsync: ctx.cfg.sqliteSynchronous === 'FULL',
    now: opts.now,
    onError: (err) => ctx.logger.error({ err }, 'blob storage'),
  })
  const repo = new PdsRepo({
    db: ctx.db,
    blobs,
    signingKey: (did) => ctx.signingKey(did),
    sequencer: () => ctx.sequencer as RepoSequencer | undefined,
  })
  ctx.blobs = blobs
  ctx.repo = repo
  ctx.hooks.accountCreated.push((account) => {
    repo.createRepo(account.did, account.handle, account.signingKey)
  })
  ctx.hooks.started.push(() => blobs.start())
  ctx.hooks.closing.push(() => blobs.stop())
  return repo
}
