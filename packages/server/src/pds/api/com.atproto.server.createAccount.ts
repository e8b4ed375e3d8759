/**
 * com.atproto.server.createAccount: a new account with a did:plc on a service handle (see
 * accounts/create.ts for the rules). Rate-limited per client IP.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { createAccount } from '../accounts/create.ts'
import type { PdsContext } from '../context.ts'
import { enforce, ipOf } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure('com.atproto.server.createAccount', async ({ input, req }) => {
    enforce(ctx.limits.createAccountPerIp, ipOf(req))
    const result = await createAccount(ctx, (input?.body ?? {}) as Record<string, unknown>)
    return { encoding: 'application/json', body: result }
  })
}
