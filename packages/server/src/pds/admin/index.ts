/**
 * Administration: takedowns of accounts, records and blobs, the admin account view, and the operator CLI
 * (`stratus account takedown|untakedown|delete|reset-password|invite|status`, admin/cli.ts). The XRPC
 * methods are api/com.atproto.admin.*.ts, all behind the admin password (HTTP Basic `admin:<password>`).
 *
 * `installAdmin(ctx)` makes every read of records and blobs through the repo slot honour takedowns:
 * `ctx.repo.getRecord` / `listRecords` skip taken-down records and records of inactive accounts (those
 * handlers have no account check of their own), `ctx.repo.getBlob` / `ctx.blobs.getBlob` answer null for
 * taken-down blobs (sync.getBlob checks the account itself, letting the owner and admins through). The
 * handlers then answer RecordNotFound / BlobNotFound or an empty page without knowing about moderation;
 * handlers that check the account first (sync.*: RepoTakendown, RepoDeactivated, …) keep those errors.
 */
import { isAccountActive, getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { blobTakedownRef, hasRecordTakedowns, recordTakedownRef } from './takedowns.ts'

export { accountView, type AccountView } from './account-view.ts'
export {
  blobTakedownRef,
  parseRecordUri,
  quarantineDir,
  recordTakedownRef,
  setBlobTakedown,
  setRecordTakedown,
} from './takedowns.ts'

export function installAdmin(ctx: PdsContext): void {
  const active = (did: string) => isAccountActive(getAccountByDid(ctx.db, did))
  const repo = ctx.repo
  if (repo) {
    const getRecord = repo.getRecord.bind(repo)
    repo.getRecord = (did, collection, rkey) => {
      if (!active(did) || recordTakedownRef(ctx.db, `at://${did}/${collection}/${rkey}`) !== null) return null
      return getRecord(did, collection, rkey)
    }
    const listRecords = repo.listRecords.bind(repo)
    repo.listRecords = (did, collection, opts) => {
      if (!active(did)) return { records: [] }
      const page = listRecords(did, collection, opts)
      if (!hasRecordTakedowns(ctx.db, did)) return page
      return { ...page, records: page.records.filter((r) => recordTakedownRef(ctx.db, r.uri) === null) }
    }
  }
  for (const store of [ctx.repo, ctx.blobs]) {
    if (!store) continue
    const getBlob = store.getBlob.bind(store)
    store.getBlob = (did, cid) => {
      if (blobTakedownRef(ctx.db, did, cid.toString()) !== null) return null
      return getBlob(did, cid)
    }
  }
}
