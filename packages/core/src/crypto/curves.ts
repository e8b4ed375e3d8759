/**
 * The two curves atproto uses and their constants: JWT algorithm names, multicodec codes, the group
 * order n (for private-key range checks and the low-S rule). Byte-level helpers only; no point math here.
 */
import { fromHex } from '../bytes/index.ts'
import { InvalidKeyError } from './errors.ts'

export type JwtAlg = 'ES256K' | 'ES256'

export interface CurveInfo {
  readonly jwtAlg: JwtAlg
  /** Short name, also the key of the platform backend. */
  readonly name: 'k256' | 'p256'
  /** Multicodec code of the compressed public key (secp256k1-pub, p256-pub). */
  readonly multicodec: number
  /** Group order n, 32 bytes big-endian. */
  readonly order: Uint8Array
  /** floor(n / 2): a signature is low-S when s <= this. */
  readonly halfOrder: Uint8Array
}

function curve(jwtAlg: JwtAlg, name: 'k256' | 'p256', multicodec: number, orderHex: string): CurveInfo {
  const n = BigInt(`0x${orderHex}`)
  const half = fromHex((n >> 1n).toString(16).padStart(64, '0'))
  return Object.freeze({ jwtAlg, name, multicodec, order: fromHex(orderHex), halfOrder: half })
}

export const K256: CurveInfo = curve(
  'ES256K',
  'k256',
  0xe7,
  'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141',
)
export const P256: CurveInfo = curve(
  'ES256',
  'p256',
  0x1200,
  'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
)

export function curveForAlg(jwtAlg: string): CurveInfo {
  if (jwtAlg === 'ES256K') return K256
  if (jwtAlg === 'ES256') return P256
  throw new InvalidKeyError(`unsupported key algorithm: ${String(jwtAlg)}`)
}

/** Compares the 32-byte big-endian number at a[off..off+32] with b (32 bytes): negative, zero or positive. */
export function cmp32(a: Uint8Array, off: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = a[off + i] - b[i]
    if (d !== 0) return d
  }
  return 0
}

/** True when the 32 bytes at a[off..] are all zero. */
export function isZero32(a: Uint8Array, off: number): boolean {
  for (let i = 0; i < 32; i++) if (a[off + i] !== 0) return false
  return true
}

/** True when the 32 bytes at a[off..] encode a scalar in [1, n-1]. */
export function isScalar(a: Uint8Array, off: number, c: CurveInfo): boolean {
  return !isZero32(a, off) && cmp32(a, off, c.order) < 0
}

/** Checks a private key: exactly 32 bytes, in [1, n-1]. */
export function ensurePrivateKey(priv: Uint8Array, c: CurveInfo): void {
  if (!(priv instanceof Uint8Array) || priv.length !== 32) {
    throw new InvalidKeyError(`${c.jwtAlg} private key must be 32 bytes`)
  }
  if (!isScalar(priv, 0, c)) throw new InvalidKeyError(`${c.jwtAlg} private key out of range`)
}
