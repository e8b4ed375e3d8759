/**
 * app.bsky.actor.getPreferences: the caller's preferences, stored on this PDS (accounts/preferences.ts).
 * Only when the client's `atproto-proxy` header names some other service than the configured AppView is
 * the call forwarded there instead (as the official PDS does).
 */
import { type XrpcRouter, toResponse } from '../../http/index.ts'
import { getPreferences } from '../accounts/preferences.ts'
import { ACCESS_STANDARD, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { createProxyHandler } from '../proxy/index.ts'
import { proxiedElsewhere } from '../proxy/preferences.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  const proxy = createProxyHandler(ctx)
  router.query<AccessCredentials>(
    'app.bsky.actor.getPreferences',
    ({ auth, req }) => {
      if (proxiedElsewhere(ctx, req)) return proxy(req).then(toResponse)
      const preferences = getPreferences(ctx.db, auth.did, { fullAccess: auth.scope === AuthScope.Access })
      return { encoding: 'application/json', body: { preferences } }
    },
    { auth: ctx.auth.access({ scopes: [...ACCESS_STANDARD, AuthScope.Takendown] }) },
  )
}
