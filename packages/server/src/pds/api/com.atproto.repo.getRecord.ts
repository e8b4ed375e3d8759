/**
 * com.atproto.repo.getRecord: a record of an account hosted here, from the record index (400
 * RecordNotFound when absent, or when `cid` names a version that is not the current one). Repositories
 * hosted elsewhere are not proxied yet (part 2).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccount } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { repoOf } from '../repo/handler-util.ts'
import { recordUri } from '../repo/records.ts'

interface Params {
  repo: string
  collection: string
  rkey: string
  cid?: string
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  // Its statements (account, takedown checks, record) share one read transaction: see PdsDatabase.read.
  router.query('com.atproto.repo.getRecord', ({ params }) =>
    ctx.db.read(() => getRecord(ctx, params as unknown as Params)),
  )
}

function getRecord(ctx: PdsContext, { repo, collection, rkey, cid }: Params) {
  const account = getAccount(ctx.db, repo)
  if (!account) throw new InvalidRequestError(`Could not find repo: ${repo}`)
  const uri = recordUri(account.did, collection, rkey)
  const record = repoOf(ctx).getRecord(account.did, collection, rkey)
  if (!record || (cid !== undefined && record.cid.toString() !== cid)) {
    throw new InvalidRequestError(`Could not locate record: ${uri}`, 'RecordNotFound')
  }
  return { encoding: 'application/json', body: { uri, cid: record.cid.toString(), value: record.value } }
}
