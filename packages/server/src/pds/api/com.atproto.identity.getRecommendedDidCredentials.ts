/**
 * com.atproto.identity.getRecommendedDidCredentials: what the caller's DID must contain for this PDS to host
 * it — asked by a client moving an account here, before it has the old PDS sign the DID update.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { ACCESS_STANDARD, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { recommendedCredentials } from '../identity/plc-ops.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<AccessCredentials>(
    'com.atproto.identity.getRecommendedDidCredentials',
    ({ auth }) => ({ encoding: 'application/json', body: recommendedCredentials(ctx, auth.did) }),
    { auth: ctx.auth.access({ scopes: [...ACCESS_STANDARD, AuthScope.Takendown] }) },
  )
}
