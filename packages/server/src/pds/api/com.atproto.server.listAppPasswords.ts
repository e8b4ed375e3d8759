/** com.atproto.server.listAppPasswords: names, creation times and privilege of the caller's app passwords. */
import type { XrpcRouter } from '../../http/index.ts'
import { listAppPasswords } from '../accounts/app-passwords.ts'
import { ACCESS_FULL } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<AccessCredentials>(
    'com.atproto.server.listAppPasswords',
    ({ auth }) => ({ encoding: 'application/json', body: { passwords: listAppPasswords(ctx.db, auth.did) } }),
    { auth: ctx.auth.access({ scopes: ACCESS_FULL, checkTakedown: true }) },
  )
}
