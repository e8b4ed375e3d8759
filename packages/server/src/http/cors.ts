/**
 * CORS for XRPC: any origin may call (atproto auth is bearer tokens, never cookies, so '*' is safe), and
 * the headers clients need to read are exposed (rate limits, DPoP nonces, auth challenges, repo revision).
 */
import { type Reply, type ReplyOrResponse, addHeaders } from './reply.ts'

const EXPOSE = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'retry-after',
  'dpop-nonce',
  'www-authenticate',
  'atproto-repo-rev',
  'atproto-content-labelers',
  'content-length',
].join(', ')

const ALLOW_METHODS = 'GET, HEAD, POST, OPTIONS'
const DEFAULT_ALLOW_HEADERS = 'authorization, content-type, dpop, atproto-proxy, atproto-accept-labelers'

/** Adds the CORS response headers (copying a Response if its headers are immutable). */
export function withCors(res: ReplyOrResponse): ReplyOrResponse {
  if (res instanceof Response) return addHeaders(res, CORS_HEADERS, true)
  res.headers['access-control-allow-origin'] = '*'
  res.headers['access-control-expose-headers'] = EXPOSE
  return res
}

const CORS_HEADERS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSE }

/** The answer to a preflight request: allows the requested headers, cached for a day. */
export function preflight(req: Request): Reply {
  const requested = req.headers.get('access-control-request-headers')
  return {
    status: 204,
    body: null,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': ALLOW_METHODS,
      'access-control-allow-headers':
        requested && /^[\w\-, ]{1,1000}$/.test(requested) ? requested : DEFAULT_ALLOW_HEADERS,
      'access-control-max-age': '86400',
      vary: 'access-control-request-headers',
    },
  }
}
