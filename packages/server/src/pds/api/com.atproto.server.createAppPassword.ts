/**
 * com.atproto.server.createAppPassword: a new app password, shown once (accounts/app-passwords.ts). Only a
 * full session may create one: an app-password session cannot mint more credentials.
 */
import type { XrpcRouter } from '../../http/index.ts'
import { createAppPassword } from '../accounts/app-passwords.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.server.createAppPassword',
    async ({ input, auth }) => {
      const body = (input?.body ?? {}) as { name: string; privileged?: boolean }
      const created = await createAppPassword(ctx.db, auth.did, body.name, body.privileged === true)
      return { encoding: 'application/json', body: created }
    },
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
