/**
 * The curve arithmetic behind the crypto module, chosen per platform through `#platform/crypto`:
 * on Node libsecp256k1 (the `secp256k1` package) for k256 and OpenSSL (node:crypto) for p256; in browsers
 * @noble/curves. Backends trust their inputs' shapes: the callers in this folder check lengths, scalar
 * ranges and the low-S rule before calling.
 */
import { k256, p256 } from '#platform/crypto'
import type { CurveInfo } from './curves.ts'

export interface CurveBackend {
  /** Which implementation this is, e.g. 'libsecp256k1', 'node:crypto', '@noble/curves'. */
  readonly impl: string
  /** Compressed 33-byte public key of a private scalar already checked to be in [1, n-1]. */
  publicKey(priv: Uint8Array): Uint8Array
  /** Compressed form of a 33- or 65-byte SEC1 point; throws when it is not a point on the curve. */
  compress(point: Uint8Array): Uint8Array
  /** Parses a valid compressed point into whatever `verify` is fastest with (callers cache it). */
  importPublicKey(pub: Uint8Array): unknown
  /** Prepares a checked private scalar for repeated signing. */
  importPrivateKey(priv: Uint8Array): unknown
  /** ECDSA over sha-256(msg): compact r||s in a fresh array; s may be high (callers normalise in place). */
  sign(key: unknown, msg: Uint8Array): Uint8Array
  /** ECDSA check over sha-256(msg) of a compact low-S r||s with 0 < r, s < n. Never throws. */
  verify(key: unknown, msg: Uint8Array, sig: Uint8Array): boolean
}

export interface CurveBackends {
  readonly k256: CurveBackend
  readonly p256: CurveBackend
}

/** The backends of the platform this code runs on. */
export const platformBackends: CurveBackends = { k256, p256 }

export function backendFor(c: CurveInfo, backends: CurveBackends = platformBackends): CurveBackend {
  return backends[c.name]
}
