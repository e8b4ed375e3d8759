/**
 * Browser crypto backends: @noble/curves for both curves (WebCrypto has no k256 and is asynchronous;
 * this module's API is synchronous). Input shapes (lengths, scalar ranges, low-S) are checked by
 * crypto/ before these are called.
 */
import { p256 as nobleP256 } from '@noble/curves/nist.js'
import { secp256k1 as nobleK256 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'

/** Mirrors CurveBackend in crypto/backend.ts (platform files may not import other core modules). */
interface CurveBackend {
  readonly impl: string
  publicKey(priv: Uint8Array): Uint8Array
  compress(point: Uint8Array): Uint8Array
  importPublicKey(pub: Uint8Array): unknown
  importPrivateKey(priv: Uint8Array): unknown
  sign(key: unknown, msg: Uint8Array): Uint8Array
  verify(key: unknown, msg: Uint8Array, sig: Uint8Array): boolean
}

/** Cryptographically secure random bytes (getRandomValues fills at most 65,536 bytes per call). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let off = 0; off < n; off += 65536) globalThis.crypto.getRandomValues(out.subarray(off, off + 65536))
  return out
}

type NobleCurve = typeof nobleK256

function nobleBackend(curve: NobleCurve): CurveBackend {
  return {
    impl: '@noble/curves',
    publicKey: (priv) => curve.getPublicKey(priv, true),
    // Point.fromBytes rejects points that are not on the curve.
    compress: (point) => curve.Point.fromBytes(point).toBytes(true),
    // Uncompressed keys spare a square root on every verification.
    importPublicKey: (pub) => curve.Point.fromBytes(pub).toBytes(false),
    importPrivateKey: (priv) => priv.slice(),
    // RFC 6979 deterministic nonces; low-S requested (crypto/ normalises anyway).
    sign: (priv, msg) => curve.sign(sha256(msg), priv as Uint8Array, { prehash: false, lowS: true }).toBytes('compact'),
    verify: (pub, msg, sig) => {
      try {
        return curve.verify(sig, sha256(msg), pub as Uint8Array, { prehash: false, lowS: true, format: 'compact' })
      } catch {
        return false
      }
    },
  }
}

export const k256: CurveBackend = nobleBackend(nobleK256)
export const p256: CurveBackend = nobleBackend(nobleP256)
