/**
 * com.atproto.identity.resolveHandle: accounts hosted here first (taken-down ones excepted); a handle under
 * our own domains that no account here has is HandleNotFound without asking anyone; any other handle goes
 * through the identity resolver (DNS TXT, then https well-known).
 */
import { InvalidSyntaxError, normalizeAndEnsureValidHandle } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccountByHandle } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query('com.atproto.identity.resolveHandle', async ({ params }) => {
    let handle: string
    try {
      handle = normalizeAndEnsureValidHandle(String(params.handle))
    } catch (err) {
      if (err instanceof InvalidSyntaxError) throw new InvalidRequestError(err.message)
      throw err
    }
    const local = getAccountByHandle(ctx.db, handle)
    if (local && !local.takedown_ref) return { encoding: 'application/json', body: { did: local.did } }
    const ours = ctx.cfg.handleDomains.some((d) => handle.endsWith(d) || handle === d.slice(1))
    const did = ours ? undefined : await ctx.idResolver.handle.resolve(handle).catch(() => undefined)
    if (!did) throw new InvalidRequestError('Unable to resolve handle', 'HandleNotFound')
    return { encoding: 'application/json', body: { did } }
  })
}
