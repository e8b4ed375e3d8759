/** com.atproto.admin.disableInviteCodes: disables the listed codes and every code of the listed accounts. */
import type { XrpcRouter } from '../../http/index.ts'
import { disableInviteCodes } from '../accounts/invites.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.disableInviteCodes',
    ({ input }) => {
      disableInviteCodes(ctx.db, (input?.body ?? {}) as { codes?: string[]; accounts?: string[] })
    },
    { auth: ctx.auth.admin() },
  )
}
