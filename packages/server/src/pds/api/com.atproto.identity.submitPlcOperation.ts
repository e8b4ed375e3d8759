/**
 * com.atproto.identity.submitPlcOperation: sends a signed operation that points the caller's DID at this
 * PDS to the directory, after checking it does (identity/plc-ops.ts), and sequences `#identity`.
 * Full sessions only; deactivated accounts may (that is how an account moving in gets its DID updated).
 */
import type { XrpcRouter } from '../../http/index.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { submitPlcOperation } from '../identity/plc-ops.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.identity.submitPlcOperation',
    async ({ input, auth }) => {
      await submitPlcOperation(ctx, auth.did, ((input?.body ?? {}) as { operation?: unknown }).operation)
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
