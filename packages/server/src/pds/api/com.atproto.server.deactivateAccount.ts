/**
 * com.atproto.server.deactivateAccount: the person pauses their account — repo, records and blobs stop
 * being served, writes are refused, `#account {active: false, status: 'deactivated'}` goes out — until
 * activateAccount. `deleteAfter` is recorded (informational; nothing is deleted automatically).
 */
import type { XrpcRouter } from '../../http/index.ts'
import { deactivateAccount } from '../accounts/lifecycle.ts'
import { ACCESS_FULL, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.deactivateAccount',
    ({ input, auth }) => {
      deactivateAccount(ctx, auth.did, ((input?.body ?? {}) as { deleteAfter?: string } | undefined)?.deleteAfter)
    },
    { auth: ctx.auth.access({ scopes: [...ACCESS_FULL, AuthScope.Takendown] }) },
  )
}
