/**
 * The multibase base32 ('b' prefix, lowercase, unpadded) string form of CIDs. A specialised encoder:
 * CID strings are produced for every block key and $link, so it emits two characters per table
 * lookup instead of one. Decoding reuses the general base32 decoder from bytes/.
 */
import { fromBase32 } from '../bytes/index.ts'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const CODES = new Uint8Array(32)
for (let i = 0; i < 32; i++) CODES[i] = ALPHABET.charCodeAt(i)
const fcc = String.fromCharCode

/** 'b' + base32 of `bytes`. */
export function toCidString(bytes: Uint8Array): string {
  const C = CODES
  const len = bytes.length
  let out = 'b'
  let i = 0
  // Ten bytes = 80 bits = sixteen characters per fromCharCode call: far fewer string concatenations
  // than one character at a time. Each 5-byte group is split into two 20-bit halves.
  for (; i + 10 <= len; i += 10) {
    const h0 = (bytes[i] << 12) | (bytes[i + 1] << 4) | (bytes[i + 2] >> 4)
    const l0 = ((bytes[i + 2] & 15) << 16) | (bytes[i + 3] << 8) | bytes[i + 4]
    const h1 = (bytes[i + 5] << 12) | (bytes[i + 6] << 4) | (bytes[i + 7] >> 4)
    const l1 = ((bytes[i + 7] & 15) << 16) | (bytes[i + 8] << 8) | bytes[i + 9]
    out += fcc(
      C[h0 >> 15],
      C[(h0 >> 10) & 31],
      C[(h0 >> 5) & 31],
      C[h0 & 31],
      C[l0 >> 15],
      C[(l0 >> 10) & 31],
      C[(l0 >> 5) & 31],
      C[l0 & 31],
      C[h1 >> 15],
      C[(h1 >> 10) & 31],
      C[(h1 >> 5) & 31],
      C[h1 & 31],
      C[l1 >> 15],
      C[(l1 >> 10) & 31],
      C[(l1 >> 5) & 31],
      C[l1 & 31],
    )
  }
  if (i + 5 <= len) {
    const h = (bytes[i] << 12) | (bytes[i + 1] << 4) | (bytes[i + 2] >> 4)
    const l = ((bytes[i + 2] & 15) << 16) | (bytes[i + 3] << 8) | bytes[i + 4]
    out += fcc(
      C[h >> 15],
      C[(h >> 10) & 31],
      C[(h >> 5) & 31],
      C[h & 31],
      C[l >> 15],
      C[(l >> 10) & 31],
      C[(l >> 5) & 31],
      C[l & 31],
    )
    i += 5
  }
  // At most four bytes (seven characters) left.
  let buffer = 0
  let bits = 0
  for (; i < len; i++) {
    buffer = ((buffer << 8) | bytes[i]) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(buffer >>> bits) & 31]
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]
  return out
}

/** Decodes the bytes of a 'b'-prefixed string; throws SyntaxError on anything else. */
export function fromCidString(str: string): Uint8Array {
  if (str.length < 2 || str.charCodeAt(0) !== 98 /* b */)
    throw new SyntaxError('CID string must start with "b" (base32)')
  return fromBase32(str.slice(1))
}
