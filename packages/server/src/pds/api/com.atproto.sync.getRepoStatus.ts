/** com.atproto.sync.getRepoStatus: whether the account is active here (and why not), with its rev when active. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { accountStatus, getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { repoReader } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.sync.getRepoStatus', ({ params }) => {
    const did = params.did as string
    const account = getAccountByDid(ctx.db, did)
    if (!account) throw new InvalidRequestError(`Could not find repo for DID: ${did}`, 'RepoNotFound')
    const { active, status } = accountStatus(account)
    const rev = active ? repoReader(ctx).getRoot(did)?.rev : undefined
    return { encoding: 'application/json', body: { did, active, status, rev } }
  })
}
