/**
 * com.atproto.sync.getRepo: the relay is not an archive, so it answers with a redirect (302) to the same
 * call on the account's PDS (from its DID document), after the same status checks a PDS makes.
 */
import { XRPCError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { RelayContext } from '../context.ts'
import { assertActive, knownAccount } from './account-errors.ts'

export default function register(router: XrpcRouter, ctx: RelayContext): void {
  router.query('com.atproto.sync.getRepo', async ({ params }) => {
    const did = String(params.did)
    const s = await knownAccount(ctx, did)
    assertActive(s)
    const id = await ctx.identities.get(did)
    if (!id?.pdsUrl) throw new XRPCError(400, 'RepoNotFound', 'The repo has no PDS')
    const url = new URL('/xrpc/com.atproto.sync.getRepo', id.pdsUrl)
    url.searchParams.set('did', did)
    if (typeof params.since === 'string') url.searchParams.set('since', params.since)
    return new Response(null, { status: 302, headers: { location: url.toString() } })
  })
}
