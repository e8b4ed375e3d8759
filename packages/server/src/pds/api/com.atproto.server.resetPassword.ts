/**
 * com.atproto.server.resetPassword: the mailed code and a new password; every session of the account ends
 * (accounts/passwords.ts). Bad code: InvalidToken / ExpiredToken.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { deleteEmailToken, didForEmailToken } from '../accounts/email-tokens.ts'
import { setPassword } from '../accounts/passwords.ts'
import type { PdsContext } from '../context.ts'
import { enforce, ipOf } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure('com.atproto.server.resetPassword', async ({ input, req }) => {
    const { token, password } = (input?.body ?? {}) as { token: string; password: string }
    enforce(ctx.limits.loginPerIp, ipOf(req))
    const did = didForEmailToken(ctx.db, 'reset_password', token)
    await setPassword(ctx.db, did, password, () => deleteEmailToken(ctx.db, did, 'reset_password'))
  })
}
