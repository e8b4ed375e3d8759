/** com.atproto.sync.getRepoStatus: the account's status as the relay sees it (desynchronized included). */
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import { accountStatus } from '../state/accounts.ts'
import { knownAccount } from './account-errors.ts'

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.query('com.atproto.sync.getRepoStatus', async ({ params }) => {
    const s = await knownAccount(ctx, String(params.did))
    const status = accountStatus(s, { desync: true })
    const rev = status.active && s.rev !== null ? s.rev : undefined
    return { encoding: 'application/json', body: { did: s.did, ...status, rev } }
  })
}
