/** Byte-level building blocks: encodings, varints, UTF-8, SHA-256. No atproto semantics here. */
export { toBase32, fromBase32 } from './base32.ts'
export { toBase58btc, fromBase58btc } from './base58.ts'
export { toBase64, fromBase64, toBase64Url, fromBase64Url } from './base64.ts'
export { toHex, fromHex } from './hex.ts'
export { encodeVarint, decodeVarint, writeVarint, varintLength } from './varint.ts'
export { utf8Encode, utf8Decode, utf8Length, graphemeLength } from './utf8.ts'
export { concat, equals, compare } from './util.ts'
export { sha256 } from '#platform/sha256'
