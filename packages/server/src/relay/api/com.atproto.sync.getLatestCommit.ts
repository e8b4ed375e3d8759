/** com.atproto.sync.getLatestCommit: the last commit the relay verified for an active account. */
import { XRPCError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import { assertActive, knownAccount } from './account-errors.ts'

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.query('com.atproto.sync.getLatestCommit', async ({ params }) => {
    const s = await knownAccount(ctx, String(params.did))
    assertActive(s)
    if (s.head === null || s.rev === null) throw new XRPCError(400, 'RepoNotFound', 'No commit seen for this repo')
    return { encoding: 'application/json', body: { cid: s.head, rev: s.rev } }
  })
}
