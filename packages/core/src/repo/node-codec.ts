/**
 * Byte form of MST nodes: `{ l: CID | null, e: [{ p, k, v, t }] }` in canonical DAG-CBOR, with each key
 * stored as the length `p` of the prefix it shares with the previous key in the node plus the rest `k`.
 *
 * The encoder writes the fixed node shape directly (no generic CBOR walk) and produces exactly the bytes
 * the generic encoder would. The decoder uses the strict generic decoder, then checks the node shape:
 * exactly the fields l/e and p/k/v/t, CIDs where links belong, canonical prefix compression (p is the
 * whole shared prefix, 0 on the first entry), valid MST keys in strictly increasing order.
 * It does NOT check heights or subtree key ranges: those need the node's place in the tree (see verify.ts).
 */
import { CID, decodeCbor } from '../data/index.ts'
import { readUtf8 } from '../data/utf8-read.ts'
import { RepoVerificationError } from './errors.ts'
import { MAX_MST_KEY_LENGTH, commonPrefixLength, isValidMstKey } from './keys.ts'

/** A node as stored: keys in order, their values, and keys.length + 1 subtree links (left-most first). */
export interface NodeData {
  keys: string[]
  vals: CID[]
  subs: (CID | null)[]
}

const headSize = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5)
const linkSize = (cid: CID): number => 3 + headSize(cid.bytes.length + 1) + cid.bytes.length

// Output buffer and position of the encoder; module state instead of closures keeps the hot loop lean.
let out = new Uint8Array(0)
let pos = 0

function head(major: number, v: number): void {
  const m = major << 5
  if (v < 24) out[pos++] = m | v
  else if (v < 0x100) {
    out[pos++] = m | 24
    out[pos++] = v
  } else if (v < 0x10000) {
    out[pos++] = m | 25
    out[pos++] = v >> 8
    out[pos++] = v & 0xff
  } else {
    out[pos++] = m | 26
    out[pos++] = v >>> 24
    out[pos++] = (v >> 16) & 0xff
    out[pos++] = (v >> 8) & 0xff
    out[pos++] = v & 0xff
  }
}

function link(cid: CID | null): void {
  if (cid === null) {
    out[pos++] = 0xf6
    return
  }
  const b = cid.bytes
  out[pos++] = 0xd8 // tag 42
  out[pos++] = 42
  head(2, b.length + 1)
  out[pos++] = 0 // DAG-CBOR's identity multibase prefix
  out.set(b, pos)
  pos += b.length
}

export function encodeNode(keys: readonly string[], vals: readonly CID[], subs: readonly (CID | null)[]): Uint8Array {
  const n = keys.length
  const prefix = new Array<number>(n)
  let size = 3 + headSize(n) + 2 + (subs[0] ? linkSize(subs[0]) : 1)
  let prev = ''
  for (let i = 0; i < n; i++) {
    const key = keys[i]
    const p = commonPrefixLength(prev, key)
    prefix[i] = p
    const rest = key.length - p
    const t = subs[i + 1]
    size += 9 + headSize(rest) + rest + headSize(p) + (t ? linkSize(t) : 1) + linkSize(vals[i])
    prev = key
  }
  const buf = new Uint8Array(size)
  out = buf
  pos = 0
  buf[pos++] = 0xa2 // map(2)
  buf[pos++] = 0x61 // "e"
  buf[pos++] = 0x65
  head(4, n)
  for (let i = 0; i < n; i++) {
    const key = keys[i]
    const p = prefix[i]
    buf[pos++] = 0xa4 // map(4): k, p, t, v
    buf[pos++] = 0x61
    buf[pos++] = 0x6b
    head(2, key.length - p)
    for (let j = p; j < key.length; j++) buf[pos++] = key.charCodeAt(j)
    buf[pos++] = 0x61
    buf[pos++] = 0x70
    head(0, p)
    buf[pos++] = 0x61
    buf[pos++] = 0x74
    link(subs[i + 1])
    buf[pos++] = 0x61
    buf[pos++] = 0x76
    link(vals[i])
  }
  buf[pos++] = 0x61 // "l"
  buf[pos++] = 0x6c
  link(subs[0])
  out = EMPTY
  return buf
}

const EMPTY = new Uint8Array(0)

function bad(msg: string): never {
  throw new RepoVerificationError('bad-structure', `invalid MST node: ${msg}`)
}

function asLink(v: unknown, what: string): CID | null {
  if (v === null) return null
  if (v instanceof CID) return v
  return bad(`${what} is not a CID link or null`)
}

/** Decodes and shape-checks a node block. Throws RepoVerificationError('bad-structure') on anything off. */
export function decodeNode(bytes: Uint8Array): NodeData {
  return decodeNodeFast(bytes) ?? decodeNodeGeneric(bytes)
}

/**
 * The common case read straight off the bytes: exactly the canonical encoding encodeNode writes, with
 * 36-byte sha-256 CIDs, fewer than 256 entries and key parts shorter than 256 bytes, and keys that pass
 * every check. Anything else (including anything invalid) gives null, and the generic path decides —
 * so this accepts only what the generic path accepts, and returns the same result.
 */
export function decodeNodeFast(b: Uint8Array): NodeData | null {
  const len = b.length
  if (len < 6 || b[0] !== 0xa2 || b[1] !== 0x61 || b[2] !== 0x65) return null
  let at = 3
  let n = b[at++]
  if (n >= 0x80 && n < 0x98) n -= 0x80
  else if (n === 0x98 && at < len && b[at] >= 24) n = b[at++]
  else return null
  const keys = new Array<string>(n)
  const vals = new Array<CID>(n)
  const subs = new Array<CID | null>(n + 1)
  let prev = ''
  for (let i = 0; i < n; i++) {
    // {k: bytes, p: uint, t: link | null, v: link}, keys in canonical order k < p < t < v.
    if (at + 4 > len || b[at] !== 0xa4 || b[at + 1] !== 0x61 || b[at + 2] !== 0x6b) return null
    at += 3
    let kl = b[at++]
    if (kl >= 0x40 && kl < 0x58) kl -= 0x40
    else if (kl === 0x58 && at < len && b[at] >= 24) kl = b[at++]
    else return null
    const kStart = at
    at += kl
    if (at + 3 > len || b[at] !== 0x61 || b[at + 1] !== 0x70) return null
    at += 2
    let p = b[at++]
    if (p === 0x18 && at < len && b[at] >= 24) p = b[at++]
    else if (p >= 24) return null
    if (p > prev.length || at + 2 > len || b[at] !== 0x61 || b[at + 1] !== 0x74) return null
    at += 2
    let t: CID | null = null
    if (b[at] === 0xf6) at++
    else {
      t = linkAt(b, at)
      if (t === null) return null
      at += LINK_BYTES
    }
    if (at + 2 > len || b[at] !== 0x61 || b[at + 1] !== 0x76) return null
    const v = linkAt(b, at + 2)
    if (v === null) return null
    at += 2 + LINK_BYTES
    // One string for the suffix (a char-by-char `+=` makes a string per character); not ASCII → generic.
    const rest = readUtf8(b, kStart, kl)
    if (rest === null) return null
    const key = p === 0 ? rest : prev.slice(0, p) + rest
    if (!isValidMstKey(key) || (i > 0 && key <= prev) || commonPrefixLength(prev, key) !== p) return null
    keys[i] = key
    vals[i] = v
    subs[i + 1] = t
    prev = key
  }
  if (at + 3 > len || b[at] !== 0x61 || b[at + 1] !== 0x6c) return null
  at += 2
  if (b[at] === 0xf6) {
    subs[0] = null
    at++
  } else {
    subs[0] = linkAt(b, at)
    if (subs[0] === null) return null
    at += LINK_BYTES
  }
  return at === len ? { keys, vals, subs } : null
}

/** tag 42, bytes(37), 0x00, then a 36-byte CIDv1 sha-256. */
const LINK_BYTES = 2 + 2 + 1 + 36

function linkAt(b: Uint8Array, at: number): CID | null {
  if (at + LINK_BYTES > b.length || b[at] !== 0xd8 || b[at + 1] !== 42 || b[at + 2] !== 0x58 || b[at + 3] !== 37) {
    return null
  }
  if (b[at + 4] !== 0 || b[at + 5] !== 1 || b[at + 6] >= 0x80 || b[at + 7] !== 0x12 || b[at + 8] !== 32) return null
  return CID.decode(b.subarray(at + 5, at + LINK_BYTES))
}

/** The same checks through the generic strict DAG-CBOR decoder (any valid form; exact error messages). */
export function decodeNodeGeneric(bytes: Uint8Array): NodeData {
  let obj: unknown
  try {
    obj = decodeCbor(bytes)
  } catch (err) {
    bad(`not DAG-CBOR (${(err as Error).message})`)
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || obj instanceof Uint8Array) bad('not a map')
  const o = obj as Record<string, unknown>
  const fields = Object.keys(o)
  if (fields.length !== 2 || !('e' in o) || !('l' in o)) bad('fields must be exactly "l" and "e"')
  const e = o.e
  if (!Array.isArray(e)) bad('"e" is not an array')
  const n = e.length
  const keys = new Array<string>(n)
  const vals = new Array<CID>(n)
  const subs = new Array<CID | null>(n + 1)
  subs[0] = asLink(o.l, '"l"')
  let prev = ''
  for (let i = 0; i < n; i++) {
    const entry = e[i] as Record<string, unknown>
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || entry instanceof CID) {
      bad(`entry ${i} is not a map`)
    }
    if (Object.keys(entry).length !== 4) bad(`entry ${i} must have exactly the fields p, k, v, t`)
    const { p, k, v, t } = entry
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) bad(`entry ${i}: "p" is not a non-negative integer`)
    if (!(k instanceof Uint8Array)) bad(`entry ${i}: "k" is not a byte string`)
    if (p > prev.length) bad(`entry ${i}: prefix length ${p} is longer than the previous key`)
    if (p + k.length > MAX_MST_KEY_LENGTH) bad(`entry ${i}: key longer than ${MAX_MST_KEY_LENGTH} bytes`)
    const key = prev.slice(0, p) + asciiString(k)
    if (!isValidMstKey(key)) bad(`entry ${i}: invalid key ${JSON.stringify(key.slice(0, 100))}`)
    if (i > 0 && key <= prev) bad(`entry ${i}: keys not in increasing order (${prev} then ${key})`)
    if (commonPrefixLength(prev, key) !== p) bad(`entry ${i}: prefix compression is not canonical`)
    const value = asLink(v, `entry ${i}: "v"`)
    if (value === null) bad(`entry ${i}: "v" is null`)
    keys[i] = key
    vals[i] = value
    subs[i + 1] = asLink(t, `entry ${i}: "t"`)
    prev = key
  }
  return { keys, vals, subs }
}

/** Bytes to a string one char per byte; non-ASCII bytes become chars >= 0x80, which key validation rejects. */
function asciiString(b: Uint8Array): string {
  if (b.length < 64) {
    let s = ''
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i])
    return s
  }
  return String.fromCharCode.apply(null, b as unknown as number[])
}
