/**
 * com.atproto.identity.requestPlcOperationSignature: mails the account a code that authorises one
 * signPlcOperation (moving the account away). Full sessions only (also taken-down ones: a person may
 * still leave).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { sendEmailToken } from '../accounts/email-tokens.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { ACCESS_FULL, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { perAccount } from '../limits.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.identity.requestPlcOperationSignature',
    ({ auth }) => {
      const account = getAccountByDid(ctx.db, auth.did)
      if (!account) throw new InvalidRequestError('Account not found', 'AccountNotFound')
      sendEmailToken(ctx, account, 'plc_operation')
    },
    {
      auth: ctx.auth.access({ scopes: [...ACCESS_FULL, AuthScope.Takendown] }),
      rateLimit: perAccount(ctx.limits, 'emailTokens', 'emailTokensDaily'),
    },
  )
}
