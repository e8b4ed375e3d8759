/**
 * com.atproto.server.requestPasswordReset: mails a reset code to the account with that address. Answers the
 * same whether or not such an account exists (no account discovery); rate-limited per client IP.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { sendEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByEmail } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { enforce, ipOf } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure('com.atproto.server.requestPasswordReset', ({ input, req }) => {
    const email = String(((input?.body ?? {}) as { email: string }).email)
      .trim()
      .toLowerCase()
    enforce(ctx.limits.loginPerIp, ipOf(req))
    enforce(ctx.limits.loginPerAccount, email)
    const account = getAccountByEmail(ctx.db, email)
    if (account?.email) sendEmailToken(ctx, account, 'reset_password')
  })
}
