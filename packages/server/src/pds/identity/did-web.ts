/**
 * `GET /.well-known/did.json`: the DID documents this PDS hosts as did:web.
 *   - An account whose DID is `did:web:<Host>` (the request's Host; `%3A<port>` for localhost in dev): its
 *     document with the handle, the account's current signing key and this PDS — so a did:web account
 *     hosted here stays consistent when its key or handle changes.
 *   - Otherwise, when the PDS's own service DID is `did:web:<Host>`: the service document (`#atproto_pds`),
 *     which services verifying tokens addressed to us (`aud`) resolve.
 * Anything else is 404. Taken-down accounts are not served.
 */
import { formatMultikey } from '@stratus/core/crypto'
import { getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { hostnameOf } from '../well-known.ts'

const CONTEXT = [
  'https://www.w3.org/ns/did/v1',
  'https://w3id.org/security/multikey/v1',
  'https://w3id.org/security/suites/secp256k1-2019/v1',
]

/** The did:web a request's Host names (`localhost:2583` → `did:web:localhost%3A2583`). */
export function didWebForHost(req: Request): string | undefined {
  const hostname = hostnameOf(req)
  if (!hostname) return undefined
  const port = /:(\d{1,5})$/.exec(req.headers.get('host') ?? new URL(req.url).host)?.[1]
  return port && hostname === 'localhost' ? `did:web:${hostname}%3A${port}` : `did:web:${hostname}`
}

export function didJsonResponse(ctx: PdsContext, req: Request): Response | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined
  if (new URL(req.url).pathname !== '/.well-known/did.json') return undefined
  const did = didWebForHost(req)
  if (!did) return notFound()
  const account = getAccountByDid(ctx.db, did)
  if (account && !account.takedown_ref) {
    const key = ctx.signingKey(did)
    return json({
      '@context': CONTEXT,
      id: did,
      alsoKnownAs: account.handle ? [`at://${account.handle}`] : [],
      verificationMethod: [
        {
          id: `${did}#atproto`,
          type: 'Multikey',
          controller: did,
          publicKeyMultibase: formatMultikey(key.jwtAlg, key.publicKeyBytes()),
        },
      ],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: ctx.cfg.publicUrl }],
    })
  }
  if (did === ctx.cfg.serviceDid) {
    return json({
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: did,
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: ctx.cfg.publicUrl }],
    })
  }
  return notFound()
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/did+ld+json; charset=utf-8' } })
}

function notFound(): Response {
  return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}
