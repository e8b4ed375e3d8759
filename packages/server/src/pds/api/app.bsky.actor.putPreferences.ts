/**
 * app.bsky.actor.putPreferences: replaces the caller's app.bsky preferences (accounts/preferences.ts);
 * forwarded instead only when `atproto-proxy` names a service other than the configured AppView (the
 * already-parsed body is sent on as JSON).
 */
import { lexStringify } from '@stratus/core/data'
import { type XrpcRouter, toResponse } from '../../http/index.ts'
import { putPreferences } from '../accounts/preferences.ts'
import { AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { createProxyHandler } from '../proxy/index.ts'
import { proxiedElsewhere } from '../proxy/preferences.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  const proxy = createProxyHandler(ctx)
  router.procedure<AccessCredentials>(
    'app.bsky.actor.putPreferences',
    ({ auth, req, input }) => {
      const body = (input?.body ?? {}) as { preferences: unknown[] }
      if (proxiedElsewhere(ctx, req)) {
        const headers = new Headers(req.headers)
        headers.set('content-type', 'application/json')
        headers.delete('content-length')
        return proxy(
          new Request(req.url, { method: 'POST', headers, body: lexStringify(body as never), signal: req.signal }),
        ).then(toResponse)
      }
      putPreferences(ctx.db, auth.did, body.preferences, { fullAccess: auth.scope === AuthScope.Access })
    },
    { auth: ctx.auth.access({ checkTakedown: true }) },
  )
}
