/** com.atproto.admin.updateAccountPassword: sets a new password and ends every session of the account. */
import type { XrpcRouter } from '../../http/index.ts'
import { setPassword } from '../accounts/passwords.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.updateAccountPassword',
    async ({ input }) => {
      const { did, password } = (input?.body ?? {}) as { did: string; password: string }
      await setPassword(ctx.db, did, password)
    },
    { auth: ctx.auth.admin() },
  )
}
