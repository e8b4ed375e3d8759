/**
 * `Reply`: a response as plain data (status, lowercase header record, bytes or a stream). The router builds
 * these instead of fetch Responses because constructing and reading a Response costs tens of microseconds
 * on Node 20 (web streams, WebIDL checks); serveFetch writes a Reply straight to the socket. Anyone calling
 * `router.handle()` still gets a real Response (`toResponse`). A node Readable body (e.g. a proxied
 * answer, as it arrives from upstream) is piped to the socket without web streams. A string body goes out
 * as UTF-8: node copies it straight into the socket's native memory, while every large Uint8Array is an
 * ArrayBuffer whose memory V8 counts as external; at a thousand 40-70 KB answers a second that pressure
 * set off extra scavenges and, in half of the AppView read bench's runs, a full GC every quarter second.
 */
import { Readable } from 'node:stream'

export interface Reply {
  status: number
  headers: Record<string, string>
  body: Uint8Array | string | ReadableStream<Uint8Array> | Readable | null
}

export type ReplyOrResponse = Reply | Response

/** Property under which a handler object exposes its Reply-returning variant to serveFetch. */
export const RAW_HANDLER: unique symbol = Symbol.for('stratus.http.rawHandler')

export type RawHandler = (req: Request) => Promise<ReplyOrResponse>

export function toResponse(r: ReplyOrResponse): Response {
  if (r instanceof Response) return r
  const body = r.body instanceof Readable ? (Readable.toWeb(r.body) as ReadableStream<Uint8Array>) : r.body
  return new Response(body as BodyInit | null, { status: r.status, headers: r.headers })
}

/** Adds headers (keeping existing ones unless `overwrite`); copies Responses whose headers are immutable. */
export function addHeaders(r: ReplyOrResponse, headers: Record<string, string>, overwrite = false): ReplyOrResponse {
  if (!(r instanceof Response)) {
    for (const [k, v] of Object.entries(headers)) if (overwrite || !(k in r.headers)) r.headers[k] = v
    return r
  }
  const apply = (h: Headers) => {
    for (const [k, v] of Object.entries(headers)) if (overwrite || !h.has(k)) h.set(k, v)
  }
  try {
    apply(r.headers)
    return r
  } catch {
    // Responses from fetch() have immutable headers.
    const copy = new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers })
    apply(copy.headers)
    return copy
  }
}

export function lowercaseKeys(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (h) for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v
  return out
}
