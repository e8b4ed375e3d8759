/**
 * Reading a procedure's request body under the rules of its method: content type present and matching the
 * declared encoding, size limit enforced from Content-Length before reading and while reading (the upload
 * is abandoned as soon as it passes the limit; nothing beyond is buffered), gzip/deflate request bodies
 * decoded with the limit applied to the decoded size, JSON parsed into data-model values. Routes with
 * `stream` get the raw bytes as an async iterable whatever the content type (uploadBlob and importRepo
 * take any media type, JSON included, as opaque bytes). LightRequests (light-request.ts) are read straight
 * from the socket; fetch Requests through their body stream.
 */
import { jsonToLex } from '@stratus/core/data'
import { InvalidRequestError, PayloadTooLargeError, XRPCError } from '@stratus/core/xrpc'
import { type LightRequest, isLightRequest } from './light-request.ts'
import { BodyTooLargeError, limitStream, readLimited } from './streams.ts'
import type { XrpcInput } from './types.ts'
import { baseType, encodingMatches } from './validation.ts'

export interface InputRules {
  /** Declared encoding; undefined = the method takes no input; '*' family accepted as globs. */
  expected: string | undefined
  /** True when neither a lexicon nor the route declared anything: accept any body, or none. */
  open: boolean
  maxBytes: number
  stream: boolean
}

export async function readInput(req: Request, rules: InputRules): Promise<XrpcInput | undefined> {
  const hasBody = requestHasBody(req)
  const contentType = req.headers.get('content-type')
  if (!hasBody) {
    if (rules.expected === undefined || rules.open) {
      if (!isLightRequest(req)) await req.body?.cancel().catch(() => {})
      return undefined
    }
    // An expected body that is empty: JSON parsing below reports it; binary input gets empty bytes.
  } else if (rules.expected === undefined && !rules.open) {
    throw new InvalidRequestError('A request body was provided when none was expected')
  }
  if (!contentType) throw new InvalidRequestError('Request encoding (Content-Type) required but not provided')
  const encoding = baseType(contentType)
  if (rules.expected !== undefined && !encodingMatches(rules.expected, encoding)) {
    throw new InvalidRequestError(`Wrong request encoding (Content-Type): ${encoding}`)
  }
  checkDeclaredLength(req, rules.maxBytes)
  const light = direct(req)
  if (rules.stream) {
    if (light) return { encoding, body: light.chunks(rules.maxBytes) }
    const body = decodedBody(req)
    return { encoding, body: body ? limitStream(body, rules.maxBytes) : emptyIterable() }
  }
  const bytes = await readBytes(light ?? decodedBody(req), rules.maxBytes)
  if (isJson(encoding)) return { encoding, body: parseJson(bytes) }
  return { encoding, body: bytes }
}

/** A LightRequest whose body can be read from the socket as is (no Content-Encoding to undo). */
function direct(req: Request): LightRequest | undefined {
  if (!isLightRequest(req)) return undefined
  const ce = req.headers.get('content-encoding')?.trim().toLowerCase()
  return !ce || ce === 'identity' ? req : undefined
}

/** A body is present when the request says so (Content-Length > 0 or any Transfer-Encoding). */
export function requestHasBody(req: Request): boolean {
  if (isLightRequest(req) ? !req.hasBody : req.body === null) return false
  const len = req.headers.get('content-length')
  if (len !== null) return len.trim() !== '0'
  return req.headers.has('transfer-encoding')
}

function checkDeclaredLength(req: Request, max: number): void {
  const len = req.headers.get('content-length')
  if (len === null || req.headers.has('content-encoding')) return
  const n = Number(len)
  if (Number.isFinite(n) && n > max)
    throw new PayloadTooLargeError(`request body of ${n} bytes exceeds the ${max}-byte limit`)
}

function decodedBody(req: Request): ReadableStream<Uint8Array> | null {
  const ce = req.headers.get('content-encoding')?.trim().toLowerCase()
  if (!ce || ce === 'identity' || req.body === null) return req.body
  if (ce === 'gzip' || ce === 'x-gzip') return req.body.pipeThrough(new DecompressionStream('gzip'))
  if (ce === 'deflate') return req.body.pipeThrough(new DecompressionStream('deflate'))
  throw new XRPCError(415, 'UnsupportedMediaType', `unsupported Content-Encoding: ${ce}`)
}

function isJson(encoding: string): boolean {
  return encoding === 'application/json' || encoding.endsWith('+json')
}

async function readBytes(body: ReadableStream<Uint8Array> | LightRequest | null, max: number): Promise<Uint8Array> {
  try {
    return isLightRequest(body) ? await body.readAll(max) : await readLimited(body, max)
  } catch (err) {
    throw translateReadError(err, max)
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

function parseJson(bytes: Uint8Array): unknown {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    throw new InvalidRequestError('Request body is not valid UTF-8')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    const detail = err instanceof RangeError ? 'nested too deeply' : (err as Error).message
    throw new InvalidRequestError(`Invalid JSON request body: ${detail}`)
  }
  try {
    return jsonToLex(parsed)
  } catch (err) {
    throw new InvalidRequestError(`Invalid request body: ${(err as Error).message}`)
  }
}

/** Size overruns become 413; a broken or aborted upload or bad compression becomes 400. */
export function translateReadError(err: unknown, max: number): unknown {
  if (err instanceof BodyTooLargeError) return new PayloadTooLargeError(`request body exceeds the ${max}-byte limit`)
  if (err instanceof XRPCError) return err
  return new InvalidRequestError(`Could not read request body: ${(err as Error)?.message ?? err}`)
}

async function* emptyIterable(): AsyncGenerator<Uint8Array> {}
