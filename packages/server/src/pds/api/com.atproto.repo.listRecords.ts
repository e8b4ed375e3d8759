/**
 * com.atproto.repo.listRecords: records of one collection, newest record key first (oldest first with
 * `reverse`), `limit` (1–100, default 50) at a time; `cursor` is the last record key of the previous page.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccount } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { repoOf } from '../repo/handler-util.ts'

interface Params {
  repo: string
  collection: string
  limit?: number
  cursor?: string
  reverse?: boolean
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.repo.listRecords', ({ params }) => {
    const { repo, collection, limit = 50, cursor, reverse = false } = params as unknown as Params
    const account = getAccount(ctx.db, repo)
    if (!account) throw new InvalidRequestError(`Could not find repo: ${repo}`)
    // One read transaction for the page and its takedown checks (see PdsDatabase.read).
    const page = ctx.db.read(() => repoOf(ctx).listRecords(account.did, collection, { limit, cursor, reverse }))
    const records = page.records.map((r) => ({ uri: r.uri, cid: r.cid.toString(), value: r.value }))
    return { encoding: 'application/json', body: { records, cursor: page.cursor } }
  })
}
