/**
 * The AppView's non-XRPC routes: `/.well-known/did.json` (its did:web document, naming the
 * `#bsky_appview` service so PDSes can proxy to it by DID), blob links `/img/<preset>/plain/<did>/<cid>…`
 * (a redirect to the owner's PDS `com.atproto.sync.getBlob`: no resizing here), and a plain-text `/`.
 */
import { isValidCidString } from '@stratus/core/syntax'
import type { AppViewContext } from './context.ts'

export function wellKnownHandler(app: AppViewContext): (req: Request) => Promise<Response | undefined> {
  return async (req) => {
    const url = new URL(req.url)
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined
    if (url.pathname === '/.well-known/did.json') return didDocument(app)
    if (url.pathname.startsWith('/img/')) return blobRedirect(app, url.pathname)
    if (url.pathname === '/')
      return new Response(`Stratus AppView (${app.did})\n`, { headers: { 'content-type': 'text/plain' } })
    return undefined
  }
}

function didDocument(app: AppViewContext): Response {
  if (!app.did.startsWith('did:web:')) return new Response('not found', { status: 404 })
  return Response.json({
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: app.did,
    service: [{ id: '#bsky_appview', type: 'BskyAppView', serviceEndpoint: app.publicUrl }],
  })
}

async function blobRedirect(app: AppViewContext, path: string): Promise<Response> {
  // /img/<preset>/plain/<did>/<cid>@jpeg  or  /img/video/plain/<did>/<cid>/<file>
  const parts = path.split('/')
  const did = decodeURIComponent(parts[4] ?? '')
  const cid = (parts[5] ?? '').replace(/@[a-z]+$/, '')
  if (!did.startsWith('did:') || !isValidCidString(cid)) return new Response('not found', { status: 404 })
  let pds: string
  try {
    pds = await app.identity.pds(did)
  } catch {
    return new Response('not found', { status: 404 })
  }
  const target = new URL('/xrpc/com.atproto.sync.getBlob', pds)
  target.searchParams.set('did', did)
  target.searchParams.set('cid', cid)
  return new Response(null, {
    status: 302,
    headers: { location: target.toString(), 'cache-control': 'public, max-age=3600' },
  })
}
