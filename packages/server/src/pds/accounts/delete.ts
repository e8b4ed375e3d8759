/**
 * Deleting an account for good (com.atproto.server.deleteAccount, com.atproto.admin.deleteAccount,
 * `stratus account delete`): in ONE transaction the repository (blocks, head, record index), the account
 * row with everything keyed to it (sessions, app passwords, tokens, preferences — ON DELETE CASCADE), its
 * takedown rows, then `#account {active: false, status: 'deleted'}` and the removal of every earlier
 * firehose event of the account, so a replay from any cursor shows only the deletion. Blob rows and
 * files go right after the commit (the blob store removes files only outside transactions); a crash in
 * between leaves unreachable files, never a served blob (the account no longer exists).
 *
 * The DID itself is not tombstoned at the PLC directory: the person may have moved elsewhere with it.
 */
import { rmSync } from 'node:fs'
import { InvalidRequestError } from '@stratus/core/xrpc'
import { quarantineDir } from '../admin/takedowns.ts'
import type { PdsContext } from '../context.ts'
import { clearRecordIndex } from '../repo/records.ts'
import { getAccountByDid } from './store.ts'

export function deleteAccount(ctx: PdsContext, did: string): void {
  ctx.db.transact(() => {
    if (!getAccountByDid(ctx.db, did)) throw new InvalidRequestError('Account not found', 'AccountNotFound')
    ctx.repo?.blockStore(did).clear()
    clearRecordIndex(ctx.db, did)
    ctx.db.stmt('DELETE FROM record_takedown WHERE did = ?').run(did)
    ctx.db.stmt('DELETE FROM blob_takedown WHERE did = ?').run(did)
    ctx.db.stmt('DELETE FROM account WHERE did = ?').run(did)
    const seq = ctx.sequencer?.sequenceAccount(did, false, 'deleted')
    if (seq !== undefined) forgetEvents(ctx, did, seq)
  })
  ctx.repo?.forget(did)
  ctx.forgetSigningKey(did)
  ctx.blobs?.deleteAccount(did)
  rmSync(quarantineDir(ctx, did), { recursive: true, force: true })
  ctx.logger.info({ did }, 'account deleted')
}

/** Deletes the account's firehose events before `keepSeq` (the sequencer keeps seq numbers increasing). */
function forgetEvents(ctx: PdsContext, did: string, keepSeq: number): void {
  ctx.db.stmt('DELETE FROM repo_event WHERE did = ? AND seq < ?').run(did, keepSeq)
}
