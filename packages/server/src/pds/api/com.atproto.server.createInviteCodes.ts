/** com.atproto.server.createInviteCodes: `codeCount` codes for each listed account (or the admin). Admin only. */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { createInviteCodes } from '../accounts/invites.ts'
import type { PdsContext } from '../context.ts'

const MAX_CODES = 1000

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.server.createInviteCodes',
    ({ input }) => {
      const body = (input?.body ?? {}) as { codeCount?: number; useCount: number; forAccounts?: string[] }
      const count = body.codeCount ?? 1
      if (count < 1 || count * (body.forAccounts?.length || 1) > MAX_CODES) {
        throw new InvalidRequestError(`Between 1 and ${MAX_CODES} codes per call`)
      }
      const codes = createInviteCodes(ctx.db, {
        hostname: ctx.cfg.hostname,
        count,
        useCount: body.useCount,
        forAccounts: body.forAccounts,
      })
      return { encoding: 'application/json', body: { codes } }
    },
    { auth: ctx.auth.admin() },
  )
}
