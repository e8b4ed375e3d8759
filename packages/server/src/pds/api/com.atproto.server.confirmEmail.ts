/**
 * com.atproto.server.confirmEmail: marks the address confirmed given the mailed code. The address must be
 * the account's current one (InvalidEmail), the code valid (InvalidToken / ExpiredToken).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import { datetimeNow } from '@stratus/core/syntax'
import type { XrpcRouter } from '../../http/index.ts'
import { assertEmailToken, deleteEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.confirmEmail',
    ({ input, auth }) => {
      const { email, token } = (input?.body ?? {}) as { email: string; token: string }
      const account = getAccountByDid(ctx.db, auth.did)
      if (!account) throw new InvalidRequestError('Account not found', 'AccountNotFound')
      if (account.email !== email.trim().toLowerCase()) throw new InvalidRequestError('invalid email', 'InvalidEmail')
      assertEmailToken(ctx.db, auth.did, 'confirm_email', token)
      ctx.db.transact(() => {
        ctx.db.stmt('UPDATE account SET email_confirmed_at = ? WHERE did = ?').run(datetimeNow(), auth.did)
        deleteEmailToken(ctx.db, auth.did, 'confirm_email')
      })
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
