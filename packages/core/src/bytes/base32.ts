/** RFC 4648 base32, lowercase, no padding (the multibase `b` alphabet used by CIDs and did:plc). */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const LOOKUP = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

export function toBase32(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | bytes[i]
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out += ALPHABET[(buffer >>> bits) & 31]
    }
    buffer &= 0xff // keep only unconsumed bits small
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]
  return out
}

/** Decodes lowercase unpadded base32; throws on any other character or on non-zero trailing bits. */
export function fromBase32(str: string): Uint8Array {
  const out = new Uint8Array(((str.length * 5) / 8) | 0)
  let buffer = 0
  let bits = 0
  let j = 0
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i)
    const v = c < 128 ? LOOKUP[c] : -1
    if (v < 0) throw new SyntaxError(`invalid base32 character at ${i}`)
    buffer = ((buffer << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      out[j++] = (buffer >>> bits) & 0xff
    }
  }
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) throw new SyntaxError('invalid base32 padding bits')
  return out
}
