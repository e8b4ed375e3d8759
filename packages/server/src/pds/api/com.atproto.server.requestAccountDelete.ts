/** com.atproto.server.requestAccountDelete: mails the code deleteAccount needs. Full sessions only. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { sendEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { perAccount } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.requestAccountDelete',
    ({ auth }) => {
      const account = getAccountByDid(ctx.db, auth.did)
      if (!account) throw new InvalidRequestError('Account not found', 'AccountNotFound')
      sendEmailToken(ctx, account, 'delete_account')
    },
    {
      auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }),
      rateLimit: perAccount(ctx.limits, 'emailTokens', 'emailTokensDaily'),
    },
  )
}
