/**
 * com.atproto.server.createAccount: a new account with a did:plc on a service handle (see
 * accounts/create.ts for the rules), or an account moving in with its own DID, proven by a service-auth
 * token from that DID (accounts/sign-up.ts). Rate-limited per client IP.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { createAccount } from '../accounts/create.ts'
import type { PdsContext } from '../context.ts'
import { type ServiceCredentials, serviceAuthOptional } from '../identity/service-auth.ts'
import { enforce, ipOf } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<ServiceCredentials | undefined>(
    'com.atproto.server.createAccount',
    async ({ input, req, auth }) => {
      enforce(ctx.limits.createAccountPerIp, ipOf(req))
      const result = await createAccount(ctx, (input?.body ?? {}) as Record<string, unknown>, { requester: auth?.did })
      return { encoding: 'application/json', body: result }
    },
    { auth: serviceAuthOptional(ctx) },
  )
}
