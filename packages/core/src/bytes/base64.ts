/**
 * Base64 in the two forms atproto uses: standard alphabet without padding (`$bytes` in JSON) and
 * base64url without padding (JWTs, DPoP). Decoding accepts padded or unpadded input of its own alphabet.
 */
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function lookup(alphabet: string): Int8Array {
  const t = new Int8Array(128).fill(-1)
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i
  return t
}
const STD_LOOKUP = lookup(STD)
const URL_LOOKUP = lookup(URL)

function encode(bytes: Uint8Array, alphabet: string): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    out += alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + alphabet[(n >>> 6) & 63] + alphabet[n & 63]
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i] << 16
    out += alphabet[n >>> 18] + alphabet[(n >>> 12) & 63]
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8)
    out += alphabet[n >>> 18] + alphabet[(n >>> 12) & 63] + alphabet[(n >>> 6) & 63]
  }
  return out
}

function decode(str: string, table: Int8Array, name: string): Uint8Array {
  let end = str.length
  while (end > 0 && str[end - 1] === '=') end--
  if (str.length - end > 2 || end % 4 === 1) throw new SyntaxError(`invalid ${name} length`)
  const out = new Uint8Array(((end * 3) / 4) | 0)
  let buffer = 0
  let bits = 0
  let j = 0
  for (let i = 0; i < end; i++) {
    const c = str.charCodeAt(i)
    const v = c < 128 ? table[c] : -1
    if (v < 0) throw new SyntaxError(`invalid ${name} character at ${i}`)
    buffer = ((buffer << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[j++] = (buffer >>> bits) & 0xff
    }
  }
  return out
}

export const toBase64 = (bytes: Uint8Array): string => encode(bytes, STD)
export const fromBase64 = (str: string): Uint8Array => decode(str, STD_LOOKUP, 'base64')
export const toBase64Url = (bytes: Uint8Array): string => encode(bytes, URL)
export const fromBase64Url = (str: string): Uint8Array => decode(str, URL_LOOKUP, 'base64url')
