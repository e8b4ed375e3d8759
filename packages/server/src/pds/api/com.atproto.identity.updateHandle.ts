/**
 * com.atproto.identity.updateHandle: a new handle for the caller — written into the DID, the old handle
 * freed, `#identity` sequenced (identity/handle.ts). App-password sessions may do it (as with the official
 * PDS); taken-down accounts may not.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { updateHandle } from '../identity/handle.ts'
import { perAccount } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.identity.updateHandle',
    async ({ input, auth }) => {
      await updateHandle(ctx, auth.did, ((input?.body ?? {}) as { handle?: unknown }).handle)
    },
    {
      auth: ctx.auth.access({ checkTakedown: true }),
      rateLimit: perAccount(ctx.limits, 'handleUpdates', 'handleUpdatesDaily'),
    },
  )
}
