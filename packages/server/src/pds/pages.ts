/**
 * The few non-XRPC paths a PDS answers: `/` (a plain-text banner), `/robots.txt` and
 * `/.well-known/atproto-did`. Everything else falls through to the XRPC router (which 404s).
 */
import type { PdsDatabase } from './db/index.ts'
import { atprotoDidResponse } from './well-known.ts'

const BANNER = `This is an AT Protocol Personal Data Server (PDS), running Stratus.

Most API routes are under /xrpc/
`

/** A response for `req`'s path, or undefined when the path is not one of ours. */
export function pageResponse(db: PdsDatabase, req: Request): Response | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined
  const path = new URL(req.url).pathname
  if (path === '/') return plain(BANNER)
  if (path === '/robots.txt') return plain('# Hello!\n\nUser-agent: *\nAllow: /\n')
  if (path === '/.well-known/atproto-did') return atprotoDidResponse(db, req)
  return undefined
}

function plain(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
}
