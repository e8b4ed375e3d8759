/**
 * The atproto JSON form of the data model: CIDs as `{$link}`, bytes as `{$bytes}` (standard base64,
 * unpadded on output, padding optional on input), blobs as `{$type: 'blob', ref: {$link}, …}`.
 *
 * `jsonToLex` turns `$link`/`$bytes` objects into CID/Uint8Array and leaves blob objects as plain maps
 * (with `ref` a CID), exactly what `decodeCbor` returns for the same data. Lenient by default: malformed
 * `$link`/`$bytes` objects and floats pass through as plain values. With `{strict: true}` it rejects
 * (TypeError) floats and non-safe integers, malformed `$link`/`$bytes` objects, a `$type` that is not a
 * non-empty string, and malformed blob objects. It does NOT check lexicon schemas or string formats.
 */
import { fromBase64, toBase64 } from '../bytes/index.ts'
import { BlobRef, toBlobRef } from './blob-ref.ts'
import { MAX_DEPTH } from './cbor-encode.ts'
import { CID } from './cid.ts'
import type { LexMap, LexValue } from './types.ts'

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
export type JsonToLexOptions = { strict?: boolean }

export function lexToJson(v: LexValue): JsonValue {
  return toJson(v, 0)
}

function toJson(v: unknown, depth: number): JsonValue {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v
    throw new TypeError(`cannot convert ${typeof v} to JSON`)
  }
  if (depth >= MAX_DEPTH) throw new TypeError(`nesting deeper than ${MAX_DEPTH} (or a cycle)`)
  if (Array.isArray(v)) return v.map((item) => toJson(item, depth + 1))
  if (v instanceof CID) return { $link: v.toString() }
  if (v instanceof Uint8Array) return { $bytes: toBase64(v) }
  if (v instanceof BlobRef) return v.toJSON()
  const proto = Object.getPrototypeOf(v)
  if (proto !== Object.prototype && proto !== null) {
    const cid = CID.asCID(v)
    if (cid) return { $link: cid.toString() }
    throw new TypeError(`cannot convert ${v.constructor?.name ?? 'object'} to JSON`)
  }
  const out: { [key: string]: JsonValue } = {}
  for (const key of Object.keys(v)) {
    const item = (v as Record<string, unknown>)[key]
    if (item !== undefined) setKey(out, key, toJson(item, depth + 1))
  }
  return out
}

export function jsonToLex(j: unknown, opts?: JsonToLexOptions): LexValue {
  return fromJson(j, opts?.strict === true, 0)
}

function fromJson(j: unknown, strict: boolean, depth: number): LexValue {
  switch (typeof j) {
    case 'string':
    case 'boolean':
      return j
    case 'number':
      if (strict && !Number.isSafeInteger(j)) throw new TypeError(`not an integer in the safe range: ${j}`)
      return j
    case 'object':
      if (j === null) return null
      if (depth >= MAX_DEPTH) throw new TypeError(`nesting deeper than ${MAX_DEPTH} (or a cycle)`)
      if (Array.isArray(j)) return j.map((item) => fromJson(item, strict, depth + 1))
      return objectFromJson(j as Record<string, unknown>, strict, depth + 1)
    default:
      throw new TypeError(`not a JSON value: ${typeof j}`)
  }
}

function objectFromJson(o: Record<string, unknown>, strict: boolean, depth: number): LexValue {
  if (o.$link !== undefined) {
    const cid = parseLink(o)
    if (cid) return cid
    if (strict) throw new TypeError('invalid $link object')
  } else if (o.$bytes !== undefined) {
    const bytes = parseBytes(o)
    if (bytes) return bytes
    if (strict) throw new TypeError('invalid $bytes object')
  }
  const out: LexMap = {}
  for (const key of Object.keys(o)) {
    const item = o[key]
    if (item !== undefined) setKey(out, key, fromJson(item, strict, depth))
  }
  if (strict && o.$type !== undefined) checkType(out)
  return out
}

function checkType(out: LexMap): void {
  const type = out.$type
  if (typeof type !== 'string')
    throw new TypeError(`$type must be a string, not ${type === null ? 'null' : typeof type}`)
  if (type.length === 0) throw new TypeError('$type must not be empty')
  if (type === 'blob' && !toBlobRef(out)) throw new TypeError('invalid blob object')
}

function parseLink(o: Record<string, unknown>): CID | null {
  const link = o.$link
  if (typeof link !== 'string' || !hasSingleKey(o)) return null
  try {
    return CID.parse(link)
  } catch {
    return null
  }
}

function parseBytes(o: Record<string, unknown>): Uint8Array | null {
  const b64 = o.$bytes
  if (typeof b64 !== 'string' || !hasSingleKey(o)) return null
  try {
    return fromBase64(b64)
  } catch {
    return null
  }
}

function hasSingleKey(o: object): boolean {
  let n = 0
  for (const _ in o) if (++n > 1) return false
  return n === 1
}

/** Assigns without letting a "__proto__" key replace the prototype. */
function setKey<T>(out: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

export function lexStringify(v: LexValue): string {
  return JSON.stringify(lexToJson(v))
}

export function lexParse(text: string, opts?: JsonToLexOptions): LexValue {
  return jsonToLex(JSON.parse(text), opts)
}
