/**
 * DAG-CBOR encoder with atproto's rules: map keys sorted length-first then bytewise (on UTF-8), minimal
 * integer heads, definite lengths only, CIDs as tag 42 over 0x00 + binary CID, BlobRefs as blob maps.
 *
 * Rejects (CborError): floats, integers outside the safe range, undefined (except as a map value, which
 * is omitted), non-plain objects other than CID/BlobRef/Uint8Array, nesting deeper than MAX_DEPTH
 * (which also catches cycles). Lone UTF-16 surrogates are written as U+FFFD, as TextEncoder does.
 *
 * Writes into one module-level scratch buffer that grows as needed and returns a copy of the used part.
 */
import { BlobRef } from './blob-ref.ts'
import { CID } from './cid.ts'
import { CborError } from './errors.ts'

/** Deepest nesting of arrays/maps accepted by the encoder and the decoder. */
export const MAX_DEPTH = 128
const INITIAL_SIZE = 8192
/** A scratch buffer that grew past this is dropped after use rather than kept. */
const MAX_RETAINED = 1 << 20

let buf = new Uint8Array(INITIAL_SIZE)
let pos = 0
let busy = false

export function encodeCbor(value: unknown): Uint8Array {
  const nested = busy
  const savedBuf = buf
  const savedPos = pos
  if (nested) buf = new Uint8Array(256) // a getter re-entered us: use a private buffer
  busy = true
  pos = 0
  try {
    writeValue(value, 0)
    return buf.slice(0, pos)
  } finally {
    if (nested) {
      buf = savedBuf
      pos = savedPos
    } else if (buf.length > MAX_RETAINED) buf = new Uint8Array(INITIAL_SIZE)
    busy = nested
  }
}

function grow(needed: number): void {
  let size = buf.length * 2
  while (size < pos + needed) size *= 2
  const next = new Uint8Array(size)
  next.set(buf.subarray(0, pos))
  buf = next
}

/** Writes a major type + argument head (argument is a non-negative safe integer). Caller ensured 9 bytes. */
function writeHead(major: number, n: number): void {
  const b = buf
  const m = major << 5
  if (n < 24) b[pos++] = m | n
  else if (n < 0x100) {
    b[pos++] = m | 24
    b[pos++] = n
  } else if (n < 0x10000) {
    b[pos++] = m | 25
    b[pos++] = n >> 8
    b[pos++] = n & 0xff
  } else if (n < 0x100000000) {
    b[pos++] = m | 26
    b[pos++] = n >>> 24
    b[pos++] = (n >> 16) & 0xff
    b[pos++] = (n >> 8) & 0xff
    b[pos++] = n & 0xff
  } else {
    const hi = Math.floor(n / 0x100000000)
    const lo = n >>> 0
    b[pos++] = m | 27
    b[pos++] = 0
    b[pos++] = hi >> 16
    b[pos++] = (hi >> 8) & 0xff
    b[pos++] = hi & 0xff
    b[pos++] = lo >>> 24
    b[pos++] = (lo >> 16) & 0xff
    b[pos++] = (lo >> 8) & 0xff
    b[pos++] = lo & 0xff
  }
}

const headSize = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9)

function writeValue(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      writeString(v)
      break
    case 'number':
      writeNumber(v)
      break
    case 'boolean':
      if (pos + 1 > buf.length) grow(1)
      buf[pos++] = v ? 0xf5 : 0xf4
      break
    case 'object':
      if (v === null) {
        if (pos + 1 > buf.length) grow(1)
        buf[pos++] = 0xf6
      } else {
        if (depth >= MAX_DEPTH) throw new CborError(`nesting deeper than ${MAX_DEPTH} (or a cycle)`)
        if (Array.isArray(v)) writeArray(v, depth + 1)
        else if (v instanceof CID) writeCid(v)
        else if (v instanceof Uint8Array) writeBytes(v)
        else writeObject(v as Record<string, unknown>, depth + 1)
      }
      break
    default:
      throw new CborError(`cannot encode ${typeof v} in DAG-CBOR`)
  }
}

function writeNumber(n: number): void {
  if (!Number.isSafeInteger(n)) {
    throw new CborError(Number.isInteger(n) ? `integer ${n} outside the safe range` : `floats are not allowed (${n})`)
  }
  if (pos + 9 > buf.length) grow(9)
  if (n >= 0) writeHead(0, n)
  else writeHead(1, -1 - n)
}

function writeBytes(v: Uint8Array): void {
  const len = v.length
  if (pos + len + 9 > buf.length) grow(len + 9)
  writeHead(2, len)
  buf.set(v, pos)
  pos += len
}

function writeCid(cid: CID): void {
  const bytes = cid.bytes
  const len = bytes.length
  if (pos + len + 12 > buf.length) grow(len + 12)
  buf[pos++] = 0xd8 // tag, 1-byte argument
  buf[pos++] = 42
  writeHead(2, len + 1)
  buf[pos++] = 0 // multibase "identity" prefix required by DAG-CBOR
  buf.set(bytes, pos)
  pos += len
}

function writeArray(arr: unknown[], depth: number): void {
  const len = arr.length
  if (pos + 9 > buf.length) grow(9)
  writeHead(4, len)
  for (let i = 0; i < len; i++) writeValue(arr[i], depth)
}

function writeObject(obj: Record<string, unknown>, depth: number): void {
  if (obj.constructor !== Object) {
    const proto = Object.getPrototypeOf(obj)
    if (proto !== Object.prototype && proto !== null) {
      writeSpecial(obj, depth)
      return
    }
  }
  const keys = canonicalKeys(obj)
  const n = keys.length
  if (pos + 9 > buf.length) grow(9)
  writeHead(5, n)
  for (let i = 0; i < n; i++) {
    const key = keys[i]
    writeString(key)
    writeValue(obj[key], depth)
  }
}

function writeSpecial(obj: object, depth: number): void {
  const cid = obj instanceof BlobRef ? null : CID.asCID(obj)
  if (obj instanceof BlobRef) writeObject(obj.toDataModel() as Record<string, unknown>, depth)
  else if (cid) writeCid(cid)
  else throw new CborError(`cannot encode ${obj.constructor?.name ?? 'object'} in DAG-CBOR`)
}

/**
 * Own enumerable keys with defined values, in DAG-CBOR order. Objects built in canonical order (e.g.
 * decoded ones) pass a single linear check; others are sorted.
 */
function canonicalKeys(obj: Record<string, unknown>): string[] {
  let keys = Object.keys(obj)
  const n = keys.length
  let sorted = true
  let ascii = true
  let hasUndefined = false
  let prev = ''
  for (let i = 0; i < n; i++) {
    const k = keys[i]
    if (obj[k] === undefined) hasUndefined = true
    if (ascii) {
      for (let j = 0; j < k.length; j++) {
        if (k.charCodeAt(j) > 0x7f) {
          ascii = false
          break
        }
      }
    }
    if (i > 0 && sorted && (k.length < prev.length || (k.length === prev.length && k < prev))) sorted = false
    prev = k
  }
  if (hasUndefined) keys = keys.filter((k) => obj[k] !== undefined)
  if (!ascii) return sortUtf8(keys)
  if (!sorted) insertionSort(keys)
  return keys
}

/** Length-first then code-unit order, which equals UTF-8 byte order for ASCII keys. */
function insertionSort(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]
    const len = k.length
    let j = i - 1
    while (j >= 0) {
      const o = keys[j]
      if (o.length < len || (o.length === len && o < k)) break
      keys[j + 1] = o
      j--
    }
    keys[j + 1] = k
  }
}

const textEncoder = new TextEncoder()

/** Sorts keys containing non-ASCII characters by their UTF-8 bytes (length first). */
function sortUtf8(keys: string[]): string[] {
  const entries = keys.map((k) => ({ k, b: textEncoder.encode(k) }))
  entries.sort((x, y) => {
    if (x.b.length !== y.b.length) return x.b.length - y.b.length
    for (let i = 0; i < x.b.length; i++) if (x.b[i] !== y.b[i]) return x.b[i] - y.b[i]
    return 0
  })
  return entries.map((e) => e.k)
}

/**
 * Writes a text string. Optimistically assumes ASCII (header sized for str.length); on the first
 * non-ASCII code unit it continues as UTF-8 and moves the bytes if the real header is larger.
 */
function writeString(s: string): void {
  const len = s.length
  if (pos + len * 3 + 9 > buf.length) grow(len * 3 + 9)
  const b = buf
  const hs = headSize(len)
  const start = pos + hs
  let p = start
  let i = 0
  for (; i < len; i++) {
    const c = s.charCodeAt(i)
    if (c > 0x7f) break
    b[p++] = c
  }
  if (i < len) p = writeUtf8Tail(s, i, b, p)
  const byteLen = p - start
  const realHs = headSize(byteLen)
  if (realHs !== hs) b.copyWithin(pos + realHs, start, p)
  writeHead(3, byteLen)
  pos += byteLen
}

/** UTF-8 encodes s[i..] into b at p; returns the end position. */
function writeUtf8Tail(s: string, i: number, b: Uint8Array, p: number): number {
  const len = s.length
  if (len - i > 64) {
    // Long non-ASCII text: the native encoder is faster than a JS loop.
    return p + textEncoder.encodeInto(i === 0 ? s : s.slice(i), b.subarray(p)).written
  }
  for (; i < len; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) b[p++] = c
    else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6)
      b[p++] = 0x80 | (c & 63)
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        b[p++] = 0xf0 | (cp >> 18)
        b[p++] = 0x80 | ((cp >> 12) & 63)
        b[p++] = 0x80 | ((cp >> 6) & 63)
        b[p++] = 0x80 | (cp & 63)
        i++
      } else {
        b[p++] = 0xef // lone surrogate: U+FFFD
        b[p++] = 0xbf
        b[p++] = 0xbd
      }
    } else {
      b[p++] = 0xe0 | (c >> 12)
      b[p++] = 0x80 | ((c >> 6) & 63)
      b[p++] = 0x80 | (c & 63)
    }
  }
  return p
}
