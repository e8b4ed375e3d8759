/** com.atproto.server.getSession: who the access token belongs to, with account status. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { sessionView } from '../accounts/view.ts'
import { ACCESS_STANDARD, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<AccessCredentials>(
    'com.atproto.server.getSession',
    ({ auth }) => {
      const account = getAccountByDid(ctx.db, auth.did)
      if (!account) throw new InvalidRequestError(`Could not find user info for account: ${auth.did}`)
      return { encoding: 'application/json', body: sessionView(account) }
    },
    { auth: ctx.auth.access({ scopes: [...ACCESS_STANDARD, AuthScope.SignupQueued, AuthScope.Takendown] }) },
  )
}
