/**
 * com.atproto.identity.signPlcOperation: signs an update of the caller's did:plc with this PDS's rotation
 * key, authorised by the mailed code (identity/plc-ops.ts). Full sessions only.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { ACCESS_FULL, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { type SignPlcInput, signPlcOperation } from '../identity/plc-ops.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.identity.signPlcOperation',
    async ({ input, auth }) => {
      const operation = await signPlcOperation(ctx, auth.did, (input?.body ?? {}) as SignPlcInput)
      return { encoding: 'application/json', body: { operation } }
    },
    { auth: ctx.auth.access({ scopes: [...ACCESS_FULL, AuthScope.Takendown] }) },
  )
}
