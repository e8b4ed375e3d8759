/**
 * com.atproto.server.updateEmail: a new address (unconfirmed until confirmEmail). If the current address is
 * confirmed the mailed code is required (TokenRequired, then InvalidToken / ExpiredToken).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { validateEmail } from '../accounts/email.ts'
import { assertEmailToken, deleteEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByDid, getAccountByEmail, isUniqueViolation } from '../accounts/store.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.updateEmail',
    ({ input, auth }) => {
      const body = (input?.body ?? {}) as { email: string; token?: string }
      const email = validateEmail(body.email)
      const account = getAccountByDid(ctx.db, auth.did)
      if (!account) throw new InvalidRequestError('Account not found', 'AccountNotFound')
      if (account.email_confirmed_at !== null) {
        if (!body.token) throw new InvalidRequestError('confirmation token required', 'TokenRequired')
        assertEmailToken(ctx.db, auth.did, 'update_email', body.token)
      }
      const owner = getAccountByEmail(ctx.db, email)
      if (owner && owner.did !== auth.did)
        throw new InvalidRequestError('This email address is already in use, please use a different email.')
      try {
        ctx.db.transact(() => {
          ctx.db
            .stmt('UPDATE account SET email = ?, email_confirmed_at = NULL WHERE did = ? AND email IS NOT ?')
            .run(email, auth.did, email)
          deleteEmailToken(ctx.db, auth.did, 'update_email')
        })
      } catch (err) {
        if (isUniqueViolation(err))
          throw new InvalidRequestError('This email address is already in use, please use a different email.')
        throw err
      }
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
