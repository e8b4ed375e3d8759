/**
 * Event-stream frames: one binary WebSocket message = a DAG-CBOR header `{op, t?}` followed by a DAG-CBOR
 * body. `op: 1` is a message of type `t` (short form, e.g. '#commit') whose body is a map; `op: -1` is an
 * error whose body is `{error, message?}` and which ends the stream.
 *
 * decodeFrame is strict about structure (both CBOR objects canonical and complete, header a map with an
 * integer op, op 1 carrying a string t and a map body, op -1 an error body) and throws FrameError, which
 * the spec treats as fatal for the connection. Unknown ops decode fine (clients are told to skip them),
 * and unknown header or body fields are kept. Body content is not validated against any lexicon here.
 */
import { decodeCbor, decodeCborFirst, encodeCbor, type LexValue } from '../data/index.ts'
import { concat } from '../bytes/index.ts'

export class FrameError extends Error {
  override name = 'FrameError'
}

export interface FrameHeader {
  op: number
  t?: string
}

export interface MessageFrame {
  header: { op: 1; t: string }
  body: Record<string, LexValue>
}

export interface ErrorFrame {
  header: { op: -1 }
  body: { error: string; message?: string }
}

/** Encodes a frame: header then body. Message frames need `t` and a map body; error frames get no `t`. */
export function encodeFrame(header: { op: 1 | -1; t?: string }, body: unknown): Uint8Array {
  if (header.op === 1) {
    if (typeof header.t !== 'string' || header.t === '') throw new FrameError('message frame needs a type (t)')
    if (!isPlainMap(body)) throw new FrameError('message frame body must be an object')
    return concat([encodeCbor({ op: 1, t: header.t }), encodeCbor(body)])
  }
  if (header.op === -1) {
    const b = body as { error?: unknown; message?: unknown }
    if (!isPlainMap(body) || typeof b.error !== 'string') throw new FrameError('error frame body needs an error name')
    if (b.message !== undefined && typeof b.message !== 'string') throw new FrameError('error message must be a string')
    const out: { error: string; message?: string } = { error: b.error }
    if (typeof b.message === 'string') out.message = b.message
    return concat([encodeCbor({ op: -1 }), encodeCbor(out)])
  }
  throw new FrameError(`unknown frame op ${String((header as { op: unknown }).op)}`)
}

export function encodeMessageFrame(t: string, body: unknown): Uint8Array {
  return encodeFrame({ op: 1, t }, body)
}

export function encodeErrorFrame(error: string, message?: string): Uint8Array {
  return encodeFrame({ op: -1 }, message === undefined ? { error } : { error, message })
}

/** Decodes one frame; throws FrameError on anything malformed. */
export function decodeFrame(bytes: Uint8Array): { header: FrameHeader; body: unknown } {
  let headerValue: LexValue
  let rest: Uint8Array
  let body: LexValue
  try {
    ;[headerValue, rest] = decodeCborFirst(bytes)
  } catch (err) {
    throw new FrameError(`invalid frame header: ${(err as Error).message}`, { cause: err })
  }
  if (rest.byteLength === 0) throw new FrameError('frame has a header but no body')
  try {
    body = decodeCbor(rest)
  } catch (err) {
    throw new FrameError(`invalid frame body: ${(err as Error).message}`, { cause: err })
  }
  const header = checkHeader(headerValue)
  if (header.op === 1 && !isPlainMap(body)) throw new FrameError('message frame body must be a map')
  if (header.op === -1) {
    const b = body as { error?: unknown; message?: unknown }
    if (!isPlainMap(body) || typeof b.error !== 'string') throw new FrameError('error frame body needs a string error')
    if (b.message !== undefined && typeof b.message !== 'string')
      throw new FrameError('error frame message not a string')
  }
  return { header, body }
}

function checkHeader(v: LexValue): FrameHeader {
  if (!isPlainMap(v)) throw new FrameError('frame header must be a map')
  const { op, t } = v as { op?: unknown; t?: unknown }
  if (typeof op !== 'number' || !Number.isInteger(op)) throw new FrameError('frame header op must be an integer')
  if (op === 1 && typeof t !== 'string') throw new FrameError('message frame header needs a string t')
  if (t !== undefined && typeof t !== 'string') throw new FrameError('frame header t must be a string')
  return t === undefined ? { op } : { op, t }
}

function isPlainMap(v: unknown): v is Record<string, LexValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}
