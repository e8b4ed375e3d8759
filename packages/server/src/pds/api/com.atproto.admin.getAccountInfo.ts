/** com.atproto.admin.getAccountInfo: the admin view of one account (admin/account-view.ts). */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { accountView } from '../admin/account-view.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query(
    'com.atproto.admin.getAccountInfo',
    ({ params }) => {
      const account = getAccountByDid(ctx.db, params.did as string)
      if (!account) throw new InvalidRequestError('Account not found', 'NotFound')
      return { encoding: 'application/json', body: accountView(ctx.db, account) }
    },
    { auth: ctx.auth.admin() },
  )
}
