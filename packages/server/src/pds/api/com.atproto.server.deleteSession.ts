/**
 * com.atproto.server.deleteSession: logs out by revoking the refresh token (sent as the Bearer token, as
 * the official client does). An expired refresh token is still accepted, since revoking it is harmless.
 * Access tokens already issued stay valid until they expire (they are stateless, ~2 h).
 */
import type { XrpcRouter } from '../../http/index.ts'
import { revokeRefreshToken } from '../accounts/sessions.ts'
import type { RefreshCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<RefreshCredentials>(
    'com.atproto.server.deleteSession',
    ({ auth }) => {
      revokeRefreshToken(ctx.db, auth.tokenId)
    },
    { auth: ctx.auth.refresh({ allowExpired: true }) },
  )
}
