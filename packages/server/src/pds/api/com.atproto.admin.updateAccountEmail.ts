/** com.atproto.admin.updateAccountEmail: sets an account's address (unconfirmed). */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { validateEmail } from '../accounts/email.ts'
import { getAccount, getAccountByEmail } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.updateAccountEmail',
    ({ input }) => {
      const body = (input?.body ?? {}) as { account: string; email: string }
      const email = validateEmail(body.email)
      const account = getAccount(ctx.db, body.account)
      if (!account) throw new InvalidRequestError(`Account does not exist: ${body.account}`, 'AccountNotFound')
      const owner = getAccountByEmail(ctx.db, email)
      if (owner && owner.did !== account.did) throw new InvalidRequestError('This email address is already in use')
      ctx.db
        .stmt('UPDATE account SET email = ?, email_confirmed_at = NULL WHERE did = ? AND email IS NOT ?')
        .run(email, account.did, email)
    },
    { auth: ctx.auth.admin() },
  )
}
