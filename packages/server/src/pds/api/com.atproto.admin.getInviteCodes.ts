/** com.atproto.admin.getInviteCodes: every invite code, newest or most used first, paged. */
import type { XrpcRouter } from '../../http/index.ts'
import { listInviteCodes } from '../accounts/invites.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query(
    'com.atproto.admin.getInviteCodes',
    ({ params }) => {
      const sort = params.sort === 'usage' ? 'usage' : 'recent'
      const page = listInviteCodes(ctx.db, {
        sort,
        limit: (params.limit as number | undefined) ?? 100,
        cursor: params.cursor as string | undefined,
      })
      return { encoding: 'application/json', body: page }
    },
    { auth: ctx.auth.admin() },
  )
}
