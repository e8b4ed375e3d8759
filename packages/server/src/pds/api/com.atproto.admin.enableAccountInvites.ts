/** com.atproto.admin.enableAccountInvites: the account's invite codes are shown again. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { setAccountInvitesDisabled } from '../accounts/invites.ts'
import { getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.enableAccountInvites',
    ({ input }) => {
      const { account } = (input?.body ?? {}) as { account: string }
      if (!getAccountByDid(ctx.db, account)) throw new InvalidRequestError('Account not found', 'AccountNotFound')
      setAccountInvitesDisabled(ctx.db, account, false)
    },
    { auth: ctx.auth.admin() },
  )
}
