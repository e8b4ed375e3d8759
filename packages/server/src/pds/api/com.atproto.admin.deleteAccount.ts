/** com.atproto.admin.deleteAccount: deletes an account for good (accounts/delete.ts). */
import type { XrpcRouter } from '../../http/index.ts'
import { deleteAccount } from '../accounts/delete.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.deleteAccount',
    ({ input }) => {
      deleteAccount(ctx, ((input?.body ?? {}) as { did: string }).did)
    },
    { auth: ctx.auth.admin() },
  )
}
