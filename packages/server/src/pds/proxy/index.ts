/**
 * Proxying: XRPC methods this PDS does not implement (app.bsky.*, chat.bsky.*, tools.ozone.*,
 * com.atproto.moderation.createReport, …) go to the service named by the client's `atproto-proxy` header
 * (`did:web:api.bsky.app#bsky_appview`), or by default to the configured AppView / moderation service
 * (proxy/target.ts), with a service-auth JWT signed by the account's repo key (iss = account DID, aud =
 * service DID, lxm = the method, exp = 60 s; reused while half its lifetime is left, proxy/service-token.ts).
 * It is the XRPC router's `fallback`, so it only ever sees
 * /xrpc/ paths of unregistered methods; methods the PDS implements are always answered here, header or not.
 *
 * Rules, in order: GET/HEAD/POST only; account-management methods are never forwarded (400 InvalidToken
 * "Bad token method", proxy/methods.ts); without a header and without a configured service for the
 * method, 501 MethodNotImplemented; the caller must hold a session of an active account (access or
 * app-password scope; direct messages need a full or privileged session); then a header's DID is
 * resolved and the call forwarded: the request body streamed, the answer relayed (in one piece up to
 * 1 MiB; proxy/forward.ts). Four AppView reads get the author's newest records added
 * (proxy/read-after-write.ts).
 *
 * `appviewQuery` is the same machinery for the PDS's own calls to an AppView (quoted posts in
 * read-after-write).
 */
import { InvalidRequestError, appendParams } from '@stratus/core/xrpc'
import type { ReplyOrResponse } from '../../http/index.ts'
import { AuthScope } from '../auth/scopes.ts'
import type { PdsContext } from '../context.ts'
import { callUpstream, readText, relayResponse, upstreamError } from './forward.ts'
import { LocalViewer } from './local-viewer.ts'
import { isPrivilegedMethod, isProtectedMethod } from './methods.ts'
import { READ_AFTER_WRITE_METHODS, localThread, readAfterWrite } from './read-after-write.ts'
import { ServiceTokenCache } from './service-token.ts'
import { type ProxyTarget, resolveProxyTarget } from './target.ts'

export { isPrivilegedMethod, isProtectedMethod, mayMintServiceAuth } from './methods.ts'
export {
  configuredAppview,
  configuredModeration,
  didWebForUrl,
  parseProxyHeader,
  resolveProxyTarget,
  type ProxyTarget,
} from './target.ts'
export { READ_AFTER_WRITE_METHODS } from './read-after-write.ts'

const PREFIX = '/xrpc/'

/** The router fallback: forwards one request (see the module comment). */
export function createProxyHandler(ctx: PdsContext): (req: Request) => Promise<ReplyOrResponse> {
  const auth = ctx.auth.access({ checkTakedown: true, checkDeactivated: true })
  return async (req) => {
    const nsid = pathOf(req).slice(PREFIX.length)
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
      throw new InvalidRequestError('XRPC requests only supports GET and POST')
    }
    if (isProtectedMethod(nsid)) throw new InvalidRequestError('Bad token method', 'InvalidToken')
    const header = req.headers.get('atproto-proxy')
    // Nothing to forward to (no header, no such service configured): 501 for everyone, before auth.
    const preset = header === null ? await resolveProxyTarget(ctx, nsid, null) : undefined
    const creds = await auth({ nsid, req, params: {} })
    if (creds.scope === AuthScope.AppPass && isPrivilegedMethod(nsid)) {
      throw new InvalidRequestError('Bad token method', 'InvalidToken')
    }
    // DID documents are resolved for authenticated callers only.
    const target = preset ?? (await resolveProxyTarget(ctx, nsid, header))
    const upstream = await callUpstream(req, target, bearer(ctx, creds.did, target, nsid))
    const raw = READ_AFTER_WRITE_METHODS.has(nsid) && req.method === 'GET'
    const viewer = raw
      ? new LocalViewer(ctx, creds.did, (m, p) => appviewQuery(ctx, creds.did, target, m, p))
      : undefined
    if (upstream.status >= 400) {
      const err = await upstreamError(upstream)
      const rev = err.headers['atproto-repo-rev']
      if (viewer && nsid === 'app.bsky.feed.getPostThread' && err.error === 'NotFound' && rev) {
        const local = await localThread(ctx, req, rev, viewer).catch(() => null)
        if (local) return local
      }
      throw err
    }
    if (!viewer) return relayResponse(upstream)
    try {
      return await readAfterWrite(ctx, nsid, req, upstream, viewer, ctx.logger)
    } catch (err) {
      upstream.discard()
      throw err
    }
  }
}

/** The request's path (a LightRequest's plain target when it has one: no URL parsed). */
function pathOf(req: Request): string {
  const plain = (req as { pathAndQuery?: { path: string } }).pathAndQuery
  return plain ? plain.path : new URL(req.url).pathname
}

const tokenCaches = new WeakMap<PdsContext, ServiceTokenCache>()

function bearer(ctx: PdsContext, did: string, target: ProxyTarget, lxm: string): string {
  let cache = tokenCaches.get(ctx)
  if (!cache) {
    cache = new ServiceTokenCache()
    tokenCaches.set(ctx, cache)
  }
  return `Bearer ${cache.get(did, target.did, lxm, () => ctx.signingKey(did))}`
}

/** One query to `target` as `did` (service auth), its JSON answer; throws the upstream's XRPC error. */
export async function appviewQuery(
  ctx: PdsContext,
  did: string,
  target: ProxyTarget,
  nsid: string,
  params: Record<string, string | string[]>,
): Promise<Record<string, unknown>> {
  const url = appendParams(new URL(`${ctx.cfg.publicUrl}${PREFIX}${nsid}`), params)
  const upstream = await callUpstream(new Request(url), target, bearer(ctx, did, target, nsid))
  if (upstream.status >= 400) throw await upstreamError(upstream)
  return JSON.parse(await readText(upstream, 10 * 1024 * 1024)) as Record<string, unknown>
}
