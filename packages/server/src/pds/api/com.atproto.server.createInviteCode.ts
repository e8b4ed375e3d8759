/** com.atproto.server.createInviteCode: one code with `useCount` uses, for an account or the admin. Admin only. */
import type { XrpcRouter } from '../../http/index.ts'
import { createInviteCodes } from '../accounts/invites.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.server.createInviteCode',
    ({ input }) => {
      const body = (input?.body ?? {}) as { useCount: number; forAccount?: string }
      const [{ codes }] = createInviteCodes(ctx.db, {
        hostname: ctx.cfg.hostname,
        count: 1,
        useCount: body.useCount,
        forAccounts: body.forAccount ? [body.forAccount] : undefined,
      })
      return { encoding: 'application/json', body: { code: codes[0] } }
    },
    { auth: ctx.auth.admin() },
  )
}
