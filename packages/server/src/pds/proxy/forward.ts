/**
 * One upstream call of the proxy: the client's method, path and query go to the target service with the
 * service-auth token and a short list of client headers (languages, labelers, topics, body type); the
 * request body streams through unread. The answer streams back with the headers clients use
 * (content-type/-language, atproto-repo-rev, atproto-content-labelers, retry-after). Upstream errors come
 * back as the upstream's `{error, message}` with its status (500 becomes 502 UpstreamFailure, so a client
 * can tell the AppView failed and not us); an unreachable service is 502 UpstreamFailure, a silent one
 * 504 UpstreamTimeout.
 *
 * Bodies are asked for uncompressed (`accept-encoding: identity`) because the PDS may need to read them
 * (read-after-write); clients that want compression get it from a front proxy.
 */
import { UpstreamFailureError, UpstreamTimeoutError, XRPCError, errorNameForStatus } from '@stratus/core/xrpc'
import type { ProxyTarget } from './target.ts'

const FORWARD_REQUEST = ['accept-language', 'atproto-accept-labelers', 'x-bsky-topics']
const FORWARD_RESPONSE = [
  'content-type',
  'content-language',
  'atproto-repo-rev',
  'atproto-content-labelers',
  'retry-after',
]
/** How long the upstream may take to start answering. */
const HEADERS_TIMEOUT_MS = 30_000
/** Largest upstream error body read (for its `{error, message}`). */
const MAX_ERROR_BYTES = 64 * 1024

export async function callUpstream(req: Request, target: ProxyTarget, authorization: string): Promise<Response> {
  const url = new URL(req.url)
  const headers = new Headers({ authorization, 'accept-encoding': 'identity' })
  for (const name of FORWARD_REQUEST) {
    const v = req.headers.get(name)
    if (v !== null) headers.set(name, v)
  }
  const hasBody = req.method === 'POST'
  if (hasBody) {
    for (const name of ['content-type', 'content-encoding']) {
      const v = req.headers.get(name)
      if (v !== null) headers.set(name, v)
    }
  }
  const ctrl = new AbortController()
  const onAbort = () => ctrl.abort(req.signal.reason)
  req.signal.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => ctrl.abort(new UpstreamTimeoutError('Upstream service timed out')), HEADERS_TIMEOUT_MS)
  try {
    return await fetch(`${target.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      signal: ctrl.signal,
      redirect: 'manual',
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit)
  } catch (err) {
    if (ctrl.signal.reason instanceof UpstreamTimeoutError) throw ctrl.signal.reason
    throw new UpstreamFailureError('Upstream service unreachable', undefined, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}

/** The client's answer for a successful upstream response (body streamed as is). */
export function relayResponse(upstream: Response, extraHeaders: Record<string, string> = {}): Response {
  const headers = new Headers(extraHeaders)
  for (const name of FORWARD_RESPONSE) {
    const v = upstream.headers.get(name)
    if (v !== null) headers.set(name, v)
  }
  // fetch decodes compressed bodies: a length would describe the encoded bytes.
  const length = upstream.headers.get('content-length')
  if (length !== null && upstream.headers.get('content-encoding') === null) headers.set('content-length', length)
  return new Response(upstream.body, { status: upstream.status, headers })
}

/** Reads an upstream error response into the XRPCError the client gets. */
export async function upstreamError(upstream: Response): Promise<XRPCError> {
  let error: string | undefined
  let message: string | undefined
  try {
    const text = await readText(upstream, MAX_ERROR_BYTES)
    const body = JSON.parse(text) as { error?: unknown; message?: unknown }
    if (typeof body.error === 'string') error = body.error
    if (typeof body.message === 'string') message = body.message
  } catch {
    // not JSON, or too long: keep the status only
  }
  const status = upstream.status === 500 ? 502 : upstream.status
  const headers: Record<string, string> = {}
  for (const name of ['atproto-repo-rev', 'retry-after']) {
    const v = upstream.headers.get(name)
    if (v !== null) headers[name] = v
  }
  const name = upstream.status === 500 ? 'UpstreamFailure' : (error ?? errorNameForStatus(status))
  return new XRPCError(status, name, message ?? `Upstream answered ${upstream.status}`, { headers })
}

/** The body as text, at most `max` bytes (throws beyond). */
export async function readText(res: Response, max: number): Promise<string> {
  if (!res.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > max) {
      await res.body.cancel().catch(() => {})
      throw new Error(`upstream body larger than ${max} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
