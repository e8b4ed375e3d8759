/** com.atproto.admin.updateAccountHandle: like updateHandle, without the length and reserved-name rules. */
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { updateHandle } from '../identity/handle.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.updateAccountHandle',
    async ({ input }) => {
      const { did, handle } = (input?.body ?? {}) as { did: string; handle: string }
      await updateHandle(ctx, did, handle, { allowAnyValid: true })
    },
    { auth: ctx.auth.admin() },
  )
}
