/** com.atproto.server.revokeAppPassword: deletes an app password and ends the sessions opened with it. */
import type { XrpcRouter } from '../../http/index.ts'
import { revokeAppPassword } from '../accounts/app-passwords.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.revokeAppPassword',
    ({ input, auth }) => {
      revokeAppPassword(ctx.db, auth.did, ((input?.body ?? {}) as { name: string }).name)
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
