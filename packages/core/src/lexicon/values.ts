/**
 * Shape tests on data-model values (the in-memory form: CID instances, Uint8Array, BlobRef, plain
 * maps). Used by the compiled validators; they never convert or copy values.
 */
import { BlobRef, CID } from '../data/index.ts'

const OBJECT_PROTO = Object.prototype

/** A data-model map: a plain object (not an array, bytes, CID or BlobRef). */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v)
  if (proto === OBJECT_PROTO || proto === null) return true
  // Objects from another realm have a different Object.prototype; accept them if they are plain.
  return (
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof CID) &&
    !(v instanceof BlobRef) &&
    Object.prototype.toString.call(v) === '[object Object]' &&
    CID.asCID(v) === null &&
    Object.getPrototypeOf(proto) === null
  )
}

export const isCid = (v: unknown): boolean => v instanceof CID || CID.asCID(v) !== null

/** What blob validation needs from a blob, or undefined if `v` is not a blob. */
export interface BlobInfo {
  mimeType: string
  /** -1 for legacy `{cid, mimeType}` blobs, which carry no size. */
  size: number
}

/**
 * A BlobRef, a typed blob map `{$type: 'blob', ref: CID, mimeType, size}` (exactly these keys), or a
 * legacy `{cid, mimeType}` map. Any CID codec is accepted for `ref` (the interop vectors use dag-cbor).
 */
export function asBlob(v: unknown): BlobInfo | undefined {
  if (v instanceof BlobRef) return v
  if (!isMap(v)) return undefined
  if (v.$type === 'blob') {
    const { ref, mimeType, size } = v
    if (typeof mimeType !== 'string' || !Number.isSafeInteger(size) || (size as number) < 0 || !isCid(ref)) return
    for (const k in v) if (k !== '$type' && k !== 'ref' && k !== 'mimeType' && k !== 'size') return
    return { mimeType, size: size as number }
  }
  if (typeof v.cid === 'string' && typeof v.mimeType === 'string') {
    for (const k in v) if (k !== 'cid' && k !== 'mimeType') return
    try {
      CID.parse(v.cid)
    } catch {
      return undefined
    }
    return { mimeType: v.mimeType, size: -1 }
  }
  return undefined
}

/** Deeper than any valid record (DAG-CBOR decoding stops at 128 too). */
const MAX_DEPTH = 128

/**
 * Why `v` is not a valid data-model value, or undefined if it is: floats, undefined array items,
 * non-data types, malformed nested blobs, and nesting deeper than 128 are rejected.
 */
export function dataModelProblem(v: unknown, depth = 0): string | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isSafeInteger(v) ? undefined : 'must not contain non-integer numbers'
    case 'object':
      break
    default:
      return `must not contain a value of type ${typeof v}`
  }
  if (v === null || v instanceof Uint8Array || v instanceof CID || v instanceof BlobRef) return undefined
  if (depth >= MAX_DEPTH) return `must not nest deeper than ${MAX_DEPTH} levels`
  if (Array.isArray(v)) {
    for (const item of v) {
      if (item === undefined) return 'must not contain undefined array items'
      const p = dataModelProblem(item, depth + 1)
      if (p) return p
    }
    return undefined
  }
  if (isCid(v)) return undefined
  if (!isMap(v)) return 'must only contain data-model values'
  if (v.$type === 'blob' && !asBlob(v)) return 'must not contain a malformed blob'
  for (const k in v) {
    const item = v[k]
    if (item === undefined) continue
    const p = dataModelProblem(item, depth + 1)
    if (p) return p
  }
  return undefined
}
