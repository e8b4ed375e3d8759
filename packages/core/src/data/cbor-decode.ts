/**
 * Strict DAG-CBOR decoder. Accepts exactly what the encoder produces: minimal heads, definite lengths,
 * map keys that are text strings in strictly increasing canonical order (so no duplicates), tag 42 only
 * (over a byte string starting 0x00 holding a CIDv1), false/true/null, valid UTF-8, safe integers, no
 * trailing bytes, nesting up to MAX_DEPTH. Every length is checked against the remaining input before
 * anything is allocated, so hostile input cannot force large allocations.
 *
 * Does NOT: interpret blob maps (they stay plain maps), check `$type` values, or copy — byte strings and
 * CIDs are views into the input.
 */
import { CID } from './cid.ts'
import { MAX_DEPTH } from './cbor-encode.ts'
import { CborError } from './errors.ts'
import type { LexMap, LexValue } from './types.ts'
import { readKey, readUtf8 } from './utf8-read.ts'

let src: Uint8Array = new Uint8Array(0)
let pos = 0
let end = 0

export function decodeCbor(bytes: Uint8Array): LexValue {
  const [value, next] = decodeAt(bytes, 0)
  if (next !== bytes.length) throw new CborError(`${bytes.length - next} trailing bytes after the value`)
  return value
}

/** Decodes the first value; returns it and the rest of the input (e.g. the body after a frame header). */
export function decodeCborFirst(bytes: Uint8Array): [LexValue, Uint8Array] {
  const [value, next] = decodeAt(bytes, 0)
  return [value, bytes.subarray(next)]
}

function decodeAt(bytes: Uint8Array, offset: number): [LexValue, number] {
  if (!(bytes instanceof Uint8Array)) throw new CborError('expected a Uint8Array')
  src = bytes
  pos = offset
  end = bytes.length
  try {
    const value = readValue(0)
    return [value, pos]
  } finally {
    src = EMPTY // do not keep the caller's buffer alive
  }
}
const EMPTY = new Uint8Array(0)

function fail(msg: string): never {
  throw new CborError(`${msg} at byte ${pos}`)
}

function need(n: number): void {
  if (n > end - pos) fail(`unexpected end of input (need ${n} bytes)`)
}

/** Reads the argument of a head whose additional info is `info`, enforcing minimal encoding. */
function readArg(info: number): number {
  if (info < 24) return info
  let v: number
  switch (info) {
    case 24:
      need(1)
      v = src[pos++]
      if (v < 24) fail('non-minimal integer encoding')
      return v
    case 25:
      need(2)
      v = (src[pos] << 8) | src[pos + 1]
      pos += 2
      if (v < 0x100) fail('non-minimal integer encoding')
      return v
    case 26:
      need(4)
      v = ((src[pos] << 24) | (src[pos + 1] << 16) | (src[pos + 2] << 8) | src[pos + 3]) >>> 0
      pos += 4
      if (v < 0x10000) fail('non-minimal integer encoding')
      return v
    case 27: {
      need(8)
      const hi = ((src[pos] << 24) | (src[pos + 1] << 16) | (src[pos + 2] << 8) | src[pos + 3]) >>> 0
      const lo = ((src[pos + 4] << 24) | (src[pos + 5] << 16) | (src[pos + 6] << 8) | src[pos + 7]) >>> 0
      pos += 8
      if (hi === 0) fail('non-minimal integer encoding')
      if (hi > 0x1fffff) fail('integer outside the safe range')
      return hi * 0x100000000 + lo
    }
    case 31:
      return fail('indefinite-length items are not allowed')
    default:
      return fail(`reserved additional info ${info}`)
  }
}

function readValue(depth: number): LexValue {
  if (pos >= end) fail('unexpected end of input')
  const ib = src[pos++]
  const info = ib & 31
  switch (ib >> 5) {
    case 0:
      return readArg(info)
    case 1: {
      const n = readArg(info)
      if (n === Number.MAX_SAFE_INTEGER) fail('integer outside the safe range')
      return -1 - n
    }
    case 2: {
      const len = readArg(info)
      need(len)
      return src.subarray(pos, (pos += len))
    }
    case 3: {
      const len = readArg(info)
      need(len)
      const s = readUtf8(src, pos, len)
      if (s === null) fail('invalid UTF-8 in text string')
      pos += len
      return s
    }
    case 4:
      return readArray(readArg(info), depth + 1)
    case 5:
      return readMap(readArg(info), depth + 1)
    case 6:
      return readTag(info)
    default:
      return readSimple(info)
  }
}

function readSimple(info: number): LexValue {
  if (info === 20) return false
  if (info === 21) return true
  if (info === 22) return null
  if (info === 23) return fail('undefined is not allowed')
  if (info >= 25 && info <= 27) return fail('floats are not allowed')
  if (info === 31) return fail('unexpected break')
  return fail('simple values other than false/true/null are not allowed')
}

function readArray(len: number, depth: number): LexValue[] {
  if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`)
  need(len) // every item takes at least one byte
  const arr: LexValue[] = new Array(len)
  for (let i = 0; i < len; i++) arr[i] = readValue(depth)
  return arr
}

function readMap(count: number, depth: number): LexMap {
  if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`)
  need(count * 2) // every entry takes at least two bytes
  const obj: LexMap = {}
  let prevStart = 0
  let prevLen = -1
  for (let i = 0; i < count; i++) {
    if (pos >= end) fail('unexpected end of input')
    const ib = src[pos++]
    if (ib >> 5 !== 3) fail('map keys must be text strings')
    const len = readArg(ib & 31)
    need(len)
    const start = pos
    if (len <= prevLen && !keyAfter(prevStart, prevLen, start, len)) {
      fail(keysEqual(prevStart, prevLen, start, len) ? 'duplicate map key' : 'map keys not in canonical order')
    }
    const key = readKey(src, start, len)
    if (key === null) fail('invalid UTF-8 in map key')
    pos += len
    const value = readValue(depth)
    if (key === '__proto__')
      Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
    else obj[key] = value
    prevStart = start
    prevLen = len
  }
  return obj
}

/** Whether key b sorts strictly after key a (same length or shorter b; length-first order). */
function keyAfter(aStart: number, aLen: number, bStart: number, bLen: number): boolean {
  if (bLen !== aLen) return bLen > aLen
  for (let i = 0; i < aLen; i++) {
    const x = src[aStart + i]
    const y = src[bStart + i]
    if (x !== y) return y > x
  }
  return false
}

function keysEqual(aStart: number, aLen: number, bStart: number, bLen: number): boolean {
  if (aLen !== bLen) return false
  for (let i = 0; i < aLen; i++) if (src[aStart + i] !== src[bStart + i]) return false
  return true
}

function readTag(info: number): CID {
  const tag = readArg(info)
  if (tag !== 42) fail(`tag ${tag} is not allowed (only 42)`)
  if (pos >= end) fail('unexpected end of input')
  const ib = src[pos++]
  if (ib >> 5 !== 2) fail('tag 42 must wrap a byte string')
  const len = readArg(ib & 31)
  need(len)
  if (len === 0 || src[pos] !== 0) fail('CID in tag 42 must start with 0x00')
  const bytes = src.subarray(pos + 1, pos + len)
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch (err) {
    return fail((err as Error).message)
  }
  pos += len
  return cid
}
