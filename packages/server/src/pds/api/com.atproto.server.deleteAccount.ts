/**
 * com.atproto.server.deleteAccount: deletes the account for good (accounts/delete.ts) given its DID, its
 * password and the mailed code — no session needed, so a person locked out of their apps can still leave.
 * Rate-limited like logins (it checks a password). Wrong password: 401; bad code: InvalidToken/ExpiredToken.
 */
import { AuthRequiredError, InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { deleteAccount } from '../accounts/delete.ts'
import { assertEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { verifyDummyPassword, verifyPassword } from '../auth/password.ts'
import type { PdsContext } from '../context.ts'
import { enforce, ipOf } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure('com.atproto.server.deleteAccount', async ({ input, req }) => {
    const { did, password, token } = (input?.body ?? {}) as { did: string; password: string; token: string }
    enforce(ctx.limits.loginPerIp, ipOf(req))
    enforce(ctx.limits.loginPerAccount, did)
    if (password.length > 512) throw new InvalidRequestError('Invalid password length.')
    const account = getAccountByDid(ctx.db, did)
    const ok = account?.password_hash
      ? await verifyPassword(password, account.password_hash)
      : await verifyDummyPassword(password)
    if (!account || !ok) throw new AuthRequiredError('Invalid did or password')
    assertEmailToken(ctx.db, did, 'delete_account', token)
    deleteAccount(ctx, did)
  })
}
