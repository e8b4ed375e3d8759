/**
 * MST keys (`<collection>/<record key>`) and their tree heights.
 *
 * A key is valid when it is at most 1024 bytes, has exactly one '/', both halves are non-empty, and every
 * character is in [a-zA-Z0-9_~\-:.] (so keys are ASCII and string order equals byte order). This is the
 * MST rule only: whether the collection is a valid NSID and the record key valid record-key syntax is
 * checked by the writer (see repo.ts), as the official implementation does.
 *
 * A key's height is the number of leading zero bits of sha-256(key), counted in pairs (fanout 4).
 */
import { sha256, utf8Encode } from '../bytes/index.ts'
import { InvalidMstKeyError } from './errors.ts'

export const MAX_MST_KEY_LENGTH = 1024

const ALLOWED = new Uint8Array(128)
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~-:.') ALLOWED[c.charCodeAt(0)] = 1

export function isValidMstKey(key: string): boolean {
  if (typeof key !== 'string') return false
  const n = key.length
  if (n === 0 || n > MAX_MST_KEY_LENGTH) return false
  let slash = -1
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i)
    if (c === 0x2f) {
      if (slash !== -1) return false
      slash = i
    } else if (c >= 128 || ALLOWED[c] === 0) return false
  }
  return slash > 0 && slash < n - 1
}

export function ensureValidMstKey(key: string): void {
  if (!isValidMstKey(key)) throw new InvalidMstKeyError(key)
}

/** Height of a key: floor(leading zero bits of sha-256(utf-8 key) / 2). Does not validate the key. */
export function keyHeight(key: string): number {
  return heightOfHash(sha256(utf8Encode(key)))
}

/** Height from a key's sha-256 digest: leading zero bits / 2, rounded down. */
export function heightOfHash(hash: Uint8Array): number {
  let zeros = 0
  for (let i = 0; i < hash.length; i++) {
    const b = hash[i]
    if (b === 0) {
      zeros += 8
      continue
    }
    zeros += Math.clz32(b) - 24
    break
  }
  return zeros >> 1
}

/** Number of leading characters two keys share (keys are ASCII, so this is also the byte count). */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

export function formatDataKey(collection: string, rkey: string): string {
  return `${collection}/${rkey}`
}

/** Splits `collection/rkey`; throws InvalidMstKeyError if the key is not a valid MST key. */
export function parseDataKey(key: string): { collection: string; rkey: string } {
  ensureValidMstKey(key)
  const i = key.indexOf('/')
  return { collection: key.slice(0, i), rkey: key.slice(i + 1) }
}
