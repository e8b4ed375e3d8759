/**
 * Handler results and errors as HTTP responses. JSON bodies are serialised in the atproto JSON form
 * (CID → {$link}, bytes → {$bytes}) into a string, which goes out as it is (see reply.ts); text and bytes
 * go out with a Content-Length; streams and async iterables are streamed without buffering. Errors become
 * `{error, message}` with the error's status; anything that is not an XRPCError becomes a 500 whose message
 * reveals nothing about the failure.
 */
import { lexStringify, type LexValue } from '@stratus/core/data'
import { PayloadTooLargeError, XRPCError } from '@stratus/core/xrpc'
import { BodyTooLargeError, streamFromAsyncIterable } from './streams.ts'
import { type Reply, type ReplyOrResponse, lowercaseKeys } from './reply.ts'
import type { HandlerResult } from './types.ts'
import { baseType } from './validation.ts'

const JSON_TYPE = 'application/json; charset=utf-8'

export function isJsonEncoding(encoding: string): boolean {
  const t = baseType(encoding)
  return t === 'application/json' || t.endsWith('+json')
}

/** The reply for a handler's result. `checkJson` validates JSON output bodies before they are sent. */
export function resultReply(result: HandlerResult, checkJson?: (body: unknown) => void): ReplyOrResponse {
  if (result instanceof Response) return result
  if (result === undefined || result === null) return { status: 200, headers: {}, body: null }
  const headers = lowercaseKeys(result.headers)
  const { encoding, body } = result
  if (isJsonEncoding(encoding)) {
    // A JSON body given as text or bytes is already serialised (an output is an object, never bare text).
    const text = typeof body === 'string'
    const serialised = text || body instanceof Uint8Array
    checkJson?.(serialised ? JSON.parse(text ? body : utf8Decoder.decode(body as Uint8Array)) : body)
    headers['content-type'] = baseType(encoding) === 'application/json' ? JSON_TYPE : encoding
    return sized(headers, serialised ? (body as string | Uint8Array) : lexStringify(body as LexValue))
  }
  headers['content-type'] = encoding
  if (typeof body === 'string' || body instanceof Uint8Array) return sized(headers, body)
  if (body instanceof ReadableStream) return { status: 200, headers, body }
  if (isAsyncIterable(body)) return { status: 200, headers, body: streamFromAsyncIterable(body) }
  if (body === undefined || body === null) return { status: 200, headers, body: null }
  throw new TypeError(`handler returned a ${typeof body} body for non-JSON encoding ${encoding}`)
}

const utf8Decoder = new TextDecoder()

function sized(headers: Record<string, string>, body: string | Uint8Array): Reply {
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)
  return { status: 200, headers, body }
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

export function errorReply(err: XRPCError, extraHeaders?: Record<string, string>): Reply {
  const body = JSON.stringify(err.toJSON())
  const headers: Record<string, string> = {
    ...lowercaseKeys(err.headers),
    ...extraHeaders,
    'content-type': JSON_TYPE,
    'content-length': String(Buffer.byteLength(body)),
  }
  return { status: err.status, headers, body }
}
