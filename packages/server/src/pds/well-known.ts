/**
 * `GET /.well-known/atproto-did` for handles hosted here: the Host header names the handle (port
 * ignored, compared lowercase); the answer is the DID as text/plain, or 404 when no account here has
 * that handle. This is how handles under the PDS's own domains verify over HTTPS.
 */
import { isValidHandle } from '@stratus/core/syntax'
import { getAccountByHandle } from './accounts/store.ts'
import type { PdsDatabase } from './db/index.ts'

export function atprotoDidResponse(db: PdsDatabase, req: Request): Response {
  const host = hostnameOf(req)
  const account = host && isValidHandle(host) ? getAccountByHandle(db, host) : undefined
  if (!account || account.takedown_ref) return text(404, 'User not found')
  return text(200, account.did)
}

/** The Host header's hostname, lowercase, without port ('' when absent or malformed). */
export function hostnameOf(req: Request): string {
  const host = req.headers.get('host') ?? new URL(req.url).host
  try {
    return new URL(`http://${host}`).hostname.toLowerCase()
  } catch {
    return ''
  }
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}
