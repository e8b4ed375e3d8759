/**
 * Preferences live on the PDS; a client that names another service in `atproto-proxy` (not the configured
 * AppView) for get/putPreferences means that service's preferences, and is forwarded.
 */
import type { PdsContext } from '../context.ts'
import { configuredAppview, parseProxyHeader } from './target.ts'

export function proxiedElsewhere(ctx: PdsContext, req: Request): boolean {
  const header = req.headers.get('atproto-proxy')
  if (header === null) return false
  const { did, id } = parseProxyHeader(header)
  const appview = configuredAppview(ctx.cfg)
  if (id === 'bsky_appview' && (!appview || appview.did === did)) return false
  return true
}
