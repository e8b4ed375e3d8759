/**
 * Validating UTF-8 → string for the CBOR decoder. ASCII up to 64 bytes (keys, DIDs, NSIDs, dates, CID
 * strings) is assembled in JS, avoiding TextDecoder's per-call cost, which dominates for short strings;
 * longer or non-ASCII text goes to TextDecoder (fatal mode).
 * Returns null for ill-formed UTF-8 (overlong forms, surrogates, > U+10FFFF, truncated sequences).
 */
const fcc = String.fromCharCode
// ignoreBOM: keep a leading U+FEFF; by default TextDecoder drops it, which would change the data.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
/** Up to this many bytes, ASCII is assembled in JS; beyond it TextDecoder's per-call cost pays off. */
const JS_MAX = 64
/** Non-ASCII strings up to this many bytes are decoded in JS. */
const JS_UTF8_MAX = 32

export function readUtf8(b: Uint8Array, p: number, len: number): string | null {
  if (len <= 8) {
    const s = shortAscii(b, p, len)
    if (s !== null) return s
  } else if (len <= JS_MAX) {
    const s = mediumAscii(b, p, len)
    if (s !== null) return s
  }
  if (len <= JS_UTF8_MAX) return decodeJs(b, p, len)
  try {
    return decoder.decode(b.subarray(p, p + len))
  } catch {
    return null
  }
}

/** ASCII in blocks of eight code units; null at the first non-ASCII byte. */
function mediumAscii(b: Uint8Array, p: number, len: number): string | null {
  const e = p + len
  let s = ''
  let i = p
  for (; i + 8 <= e; i += 8) {
    const c0 = b[i]
    const c1 = b[i + 1]
    const c2 = b[i + 2]
    const c3 = b[i + 3]
    const c4 = b[i + 4]
    const c5 = b[i + 5]
    const c6 = b[i + 6]
    const c7 = b[i + 7]
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) >= 0x80) return null
    s += fcc(c0, c1, c2, c3, c4, c5, c6, c7)
  }
  for (; i < e; i++) {
    const c = b[i]
    if (c >= 0x80) return null
    s += fcc(c)
  }
  return s
}

function shortAscii(b: Uint8Array, p: number, len: number): string | null {
  switch (len) {
    case 0:
      return ''
    case 1:
      return b[p] < 0x80 ? fcc(b[p]) : null
    case 2:
      return (b[p] | b[p + 1]) < 0x80 ? fcc(b[p], b[p + 1]) : null
    case 3:
      return (b[p] | b[p + 1] | b[p + 2]) < 0x80 ? fcc(b[p], b[p + 1], b[p + 2]) : null
    case 4:
      return (b[p] | b[p + 1] | b[p + 2] | b[p + 3]) < 0x80 ? fcc(b[p], b[p + 1], b[p + 2], b[p + 3]) : null
    default: {
      const a = b[p]
      const c = b[p + 1]
      const d = b[p + 2]
      const e = b[p + 3]
      const f = b[p + 4]
      if ((a | c | d | e | f) >= 0x80) return null
      if (len === 5) return fcc(a, c, d, e, f)
      const g = b[p + 5]
      if (g >= 0x80) return null
      if (len === 6) return fcc(a, c, d, e, f, g)
      const h = b[p + 6]
      if (h >= 0x80) return null
      if (len === 7) return fcc(a, c, d, e, f, g, h)
      const i = b[p + 7]
      if (i >= 0x80) return null
      return fcc(a, c, d, e, f, g, h, i)
    }
  }
}

/** Decodes and validates UTF-8 one code point at a time (short strings only: it builds by concatenation). */
function decodeJs(b: Uint8Array, p: number, len: number): string | null {
  const e = p + len
  let s = ''
  while (p < e) {
    const c = b[p++]
    if (c < 0x80) {
      s += fcc(c)
      continue
    }
    if (c < 0xc2 || c > 0xf4) return null // continuation byte, overlong 2-byte lead, or beyond U+10FFFF
    if (c < 0xe0) {
      if (p >= e) return null
      const c1 = b[p++]
      if ((c1 & 0xc0) !== 0x80) return null
      s += fcc(((c & 0x1f) << 6) | (c1 & 0x3f))
    } else if (c < 0xf0) {
      if (p + 1 >= e) return null
      const c1 = b[p++]
      const c2 = b[p++]
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) return null
      if (c === 0xe0 && c1 < 0xa0) return null // overlong
      if (c === 0xed && c1 >= 0xa0) return null // UTF-16 surrogate
      s += fcc(((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f))
    } else {
      if (p + 2 >= e) return null
      const c1 = b[p++]
      const c2 = b[p++]
      const c3 = b[p++]
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return null
      if (c === 0xf0 && c1 < 0x90) return null // overlong
      if (c === 0xf4 && c1 >= 0x90) return null // beyond U+10FFFF
      const cp = (((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)) - 0x10000
      s += fcc(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff))
    }
  }
  return s
}

/**
 * Map keys repeat endlessly ($type, text, createdAt, MST's p/k/v/t); returning the same string instance
 * for the same bytes skips building it and lets V8 reuse its internalized form for property stores.
 */
const KEY_SLOTS = 4096
const KEY_MAX = 16
const keyStrings: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined)
const keyLens = new Uint8Array(KEY_SLOTS)
const keyBytes = new Uint8Array(KEY_SLOTS * KEY_MAX)

export function readKey(b: Uint8Array, p: number, len: number): string | null {
  if (len > KEY_MAX) return readUtf8(b, p, len)
  let h = len
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[p + i], 0x9e3779b1)
  const slot = (h >>> 20) & (KEY_SLOTS - 1)
  const cached = keyStrings[slot]
  const base = slot * KEY_MAX
  if (cached !== undefined && keyLens[slot] === len) {
    let i = 0
    while (i < len && keyBytes[base + i] === b[p + i]) i++
    if (i === len) return cached
  }
  const s = readUtf8(b, p, len)
  if (s === null) return null
  keyStrings[slot] = s
  keyLens[slot] = len
  for (let i = 0; i < len; i++) keyBytes[base + i] = b[p + i]
  return s
}
