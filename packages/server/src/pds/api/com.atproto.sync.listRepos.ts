/**
 * com.atproto.sync.listRepos: every hosted account that has a repository, in creation order, with its
 * head, rev and status. The cursor is the accounts table's (`created_at::did`).
 */
import type { XrpcRouter } from '../../http/index.ts'
import { accountStatus, listAccounts } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { repoReader } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.sync.listRepos', ({ params }) => {
    const reader = repoReader(ctx)
    const page = listAccounts(ctx.db, {
      limit: (params.limit as number | undefined) ?? 500,
      cursor: params.cursor as string | undefined,
    })
    const repos = []
    for (const account of page.accounts) {
      const root = reader.getRoot(account.did)
      if (!root) continue
      const { active, status } = accountStatus(account)
      repos.push({ did: account.did, head: root.cid.toString(), rev: root.rev, active, status })
    }
    return { encoding: 'application/json', body: { cursor: page.cursor, repos } }
  })
}
