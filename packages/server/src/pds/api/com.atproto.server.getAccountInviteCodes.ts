/**
 * com.atproto.server.getAccountInviteCodes: the caller's invite codes (created for it by the operator);
 * none when its invites are disabled. `createAvailable` is accepted but codes are never earned over time.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { accountInviteCodes } from '../accounts/invites.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<AccessCredentials>(
    'com.atproto.server.getAccountInviteCodes',
    ({ params, auth }) => {
      const account = getAccountByDid(ctx.db, auth.did)
      const codes = account?.invites_disabled ? [] : accountInviteCodes(ctx.db, auth.did, params.includeUsed !== false)
      return { encoding: 'application/json', body: { codes } }
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
