/**
 * com.atproto.server.refreshSession: trades a refresh token for a new access + refresh pair (rotation with
 * a grace window, see accounts/sessions.ts). A revoked, reused-after-grace or expired token gets
 * 400 ExpiredToken, which tells clients to log in again.
 */
import { AuthRequiredError, InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { rotateRefreshToken } from '../accounts/sessions.ts'
import { sessionSettings } from '../accounts/settings.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { sessionView } from '../accounts/view.ts'
import type { RefreshCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<RefreshCredentials>(
    'com.atproto.server.refreshSession',
    async ({ auth }) => {
      const account = getAccountByDid(ctx.db, auth.did)
      if (!account) throw new InvalidRequestError(`Could not find user info for account: ${auth.did}`)
      if (account.takedown_ref) throw new AuthRequiredError('Account has been taken down', 'AccountTakedown')
      const tokens = await rotateRefreshToken(ctx.db, sessionSettings(ctx), auth.tokenId)
      return { encoding: 'application/json', body: { ...tokens, ...sessionView(account) } }
    },
    { auth: ctx.auth.refresh() },
  )
}
