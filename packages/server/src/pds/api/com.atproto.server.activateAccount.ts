/**
 * com.atproto.server.activateAccount: reactivates a deactivated account, or activates an account that
 * moved in once its DID points here (accounts/lifecycle.ts); announces #account, #identity and #sync.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { activateAccount } from '../accounts/lifecycle.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.activateAccount',
    async ({ auth }) => {
      await activateAccount(ctx, auth.did)
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL }) },
  )
}
