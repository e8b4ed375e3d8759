/**
 * Handler results and errors as HTTP responses. JSON bodies are serialised in the atproto JSON form
 * (CID → {$link}, bytes → {$bytes}); bytes go out with a Content-Length; streams and async iterables are
 * streamed without buffering. Errors become `{error, message}` with the error's status; anything that is
 * not an XRPCError becomes a 500 whose message reveals nothing about the failure.
 */
import { lexStringify, type LexValue } from '@stratus/core/data'
import { PayloadTooLargeError, XRPCError } from '@stratus/core/xrpc'
import { BodyTooLargeError, streamFromAsyncIterable } from './streams.ts'
import type { HandlerResult } from './types.ts'
import { baseType } from './validation.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

export function isJsonEncoding(encoding: string): boolean {
  const t = baseType(encoding)
  return t === 'application/json' || t.endsWith('+json')
}

/** The Response for a handler's result. `checkJson` validates JSON output bodies before they are sent. */
export function resultResponse(result: HandlerResult, checkJson?: (body: unknown) => void): Response {
  if (result instanceof Response) return result
  if (result === undefined || result === null) return new Response(null, { status: 200 })
  const headers = new Headers(result.headers)
  const { encoding, body } = result
  if (isJsonEncoding(encoding)) {
    checkJson?.(body)
    headers.set('content-type', baseType(encoding) === 'application/json' ? JSON_TYPE : encoding)
    const text = new TextEncoder().encode(lexStringify(body as LexValue))
    headers.set('content-length', String(text.byteLength))
    return new Response(text, { status: 200, headers })
  }
  headers.set('content-type', encoding)
  if (body instanceof Uint8Array) {
    headers.set('content-length', String(body.byteLength))
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers })
  }
  if (typeof body === 'string') return new Response(body, { status: 200, headers })
  if (body instanceof ReadableStream) return new Response(body, { status: 200, headers })
  if (isAsyncIterable(body)) return new Response(streamFromAsyncIterable(body), { status: 200, headers })
  if (body === undefined || body === null) return new Response(null, { status: 200, headers })
  throw new TypeError(`handler returned a ${typeof body} body for non-JSON encoding ${encoding}`)
}

function isAsyncIterable(v: unknown): v is AsyncIterable<Uint8Array> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v
}

/** Turns any thrown value into an XRPCError (non-XRPC errors into a detail-free 500). */
export function toXrpcError(err: unknown): { error: XRPCError; internal: boolean } {
  if (err instanceof XRPCError) {
    if (err.status >= 400 && err.status <= 599) return { error: err, internal: false }
    return { error: new XRPCError(500, 'InternalServerError', 'Internal Server Error'), internal: true }
  }
  if (err instanceof BodyTooLargeError) return { error: new PayloadTooLargeError(err.message), internal: false }
  return { error: new XRPCError(500, 'InternalServerError', 'Internal Server Error'), internal: true }
}

export function errorResponse(err: XRPCError, extraHeaders?: Record<string, string>): Response {
  const headers = new Headers({ ...err.headers, ...extraHeaders })
  headers.set('content-type', JSON_TYPE)
  return new Response(JSON.stringify(err.toJSON()), { status: err.status, headers })
}

/** Adds headers (keeping any the response already has unless `overwrite`); copies immutable responses. */
export function addHeaders(res: Response, headers: Record<string, string>, overwrite = false): Response {
  const apply = (h: Headers) => {
    for (const [k, v] of Object.entries(headers)) if (overwrite || !h.has(k)) h.set(k, v)
  }
  try {
    apply(res.headers)
    return res
  } catch {
    // Responses from fetch() have immutable headers.
    const copy = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers })
    apply(copy.headers)
    return copy
  }
}
