/**
 * com.atproto.sync.listRepos: accounts the relay tracks that have a verified commit, in DID order, with
 * the status the relay reports. Read from the database, so it lags the stream by at most one batch.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import { accountStatus } from '../state/accounts.ts'

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.query('com.atproto.sync.listRepos', async ({ params }) => {
    const limit = Number(params.limit ?? 500)
    const after = typeof params.cursor === 'string' && params.cursor !== '' ? params.cursor : undefined
    const rows = await ctx.store.listAccounts(after, limit)
    const repos = rows
      .filter((r) => r.head !== null && r.rev !== null)
      .map((r) => ({ did: r.did, head: r.head, rev: r.rev, ...accountStatus(r) }))
    const cursor = rows.length === limit ? rows[rows.length - 1].did : undefined
    return { encoding: 'application/json', body: { cursor, repos } }
  })
}
