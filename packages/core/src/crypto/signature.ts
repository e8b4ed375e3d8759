/**
 * Signature byte forms. atproto signatures are compact 64-byte r||s with s in the low half of the group
 * order. This module checks and converts those bytes; it does not do any curve math (the backend verifies).
 */
import { type CurveInfo, cmp32, isScalar } from './curves.ts'

/** True when s (bytes 32..64 of a compact signature) is above n/2. */
export function hasHighS(sig: Uint8Array, c: CurveInfo): boolean {
  return cmp32(sig, 32, c.halfOrder) > 0
}

/**
 * Replaces s by n - s (the other valid s for the same r) in a copy of the compact signature, or in `out`
 * (which may be `sig` itself: each byte is read before it is written).
 */
export function negateS(sig: Uint8Array, c: CurveInfo, out: Uint8Array = sig.slice(0, 64)): Uint8Array {
  let borrow = 0
  for (let i = 31; i >= 0; i--) {
    let d = c.order[i] - sig[32 + i] - borrow
    borrow = d < 0 ? 1 : 0
    if (d < 0) d += 256
    out[32 + i] = d
  }
  return out
}

/** Makes a compact signature low-S in place (for fresh arrays nobody else holds); returns it. */
export function makeLowS(sig: Uint8Array, c: CurveInfo): Uint8Array {
  return hasHighS(sig, c) ? negateS(sig, c, sig) : sig
}

/**
 * Turns signature bytes into the compact low-S form the backends verify, or null when they are not
 * acceptable. Strict (the atproto rule): exactly 64 bytes, 0 < r, s < n, s <= n/2. With `allowMalleable`,
 * DER encodings and high-S are accepted too and normalised.
 */
export function toVerifiable(sig: unknown, c: CurveInfo, allowMalleable: boolean): Uint8Array | null {
  if (!(sig instanceof Uint8Array)) return null
  let compact: Uint8Array | null = sig.length === 64 ? sig : null
  if (allowMalleable) compact = derToCompact(sig) ?? compact
  if (compact === null) return null
  if (!isScalar(compact, 0, c) || !isScalar(compact, 32, c)) return null
  if (hasHighS(compact, c)) return allowMalleable ? negateS(compact, c) : null
  return compact
}

/** Parses a strict DER ECDSA signature (SEQUENCE of two positive minimal INTEGERs) into compact r||s. */
export function derToCompact(der: Uint8Array): Uint8Array | null {
  if (der.length < 8 || der.length > 72 || der[0] !== 0x30 || der[1] !== der.length - 2) return null
  const out = new Uint8Array(64)
  const afterR = readDerInt(der, 2, out, 0)
  if (afterR < 0) return null
  const afterS = readDerInt(der, afterR, out, 32)
  return afterS === der.length ? out : null
}

/** Reads one DER INTEGER at `off` into out[at..at+32] (left-padded); returns the next offset or -1. */
function readDerInt(der: Uint8Array, off: number, out: Uint8Array, at: number): number {
  if (off + 2 > der.length || der[off] !== 0x02) return -1
  const len = der[off + 1]
  const start = off + 2
  const end = start + len
  if (len === 0 || len > 33 || end > der.length) return -1
  if (der[start] & 0x80) return -1 // negative
  if (der[start] === 0 && len > 1 && !(der[start + 1] & 0x80)) return -1 // non-minimal
  const from = der[start] === 0 && len > 1 ? start + 1 : start
  if (end - from > 32) return -1
  out.set(der.subarray(from, end), at + 32 - (end - from))
  return end
}
