/**
 * Node crypto backends. k256: libsecp256k1 through the `secp256k1` package (native, prebuilt binary),
 * loaded lazily on first use, falling back to OpenSSL (node:crypto) if it does not load. p256: OpenSSL,
 * with public keys imported once as KeyObjects (callers cache them; importing costs more than verifying).
 * Input shapes (lengths, scalar ranges, low-S) are checked by crypto/ before these are called.
 */
import { createECDH, createPrivateKey, createPublicKey, ECDH, hash, type KeyObject } from 'node:crypto'
import { randomBytes as nodeRandomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'

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

export function randomBytes(n: number): Uint8Array {
  return copy(nodeRandomBytes(n))
}

/** A fresh Uint8Array (not a Buffer, not a view into Node's shared pool). */
function copy(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length)
  out.set(b)
  return out
}

function sha256(msg: Uint8Array): Uint8Array {
  return hash('sha256', msg, 'buffer') as unknown as Buffer
}

// ---- OpenSSL (node:crypto) ----

const OPENSSL_CURVES = {
  k256: { ecdh: 'secp256k1', jwk: 'secp256k1' },
  p256: { ecdh: 'prime256v1', jwk: 'P-256' },
} as const

const b64url = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url')

/** k256 or p256 through OpenSSL. Private keys become KeyObjects; signatures use the IEEE P1363 (r||s) form. */
export function opensslBackend(name: 'k256' | 'p256'): CurveBackend {
  const { ecdh, jwk } = OPENSSL_CURVES[name]
  const uncompressed = (point: Uint8Array) => ECDH.convertKey(point, ecdh, undefined, undefined, 'uncompressed')
  const jwkFor = (point65: Uint8Array) => ({
    kty: 'EC',
    crv: jwk,
    x: b64url(point65.subarray(1, 33)),
    y: b64url(point65.subarray(33, 65)),
  })
  return {
    impl: 'node:crypto',
    publicKey: (priv) => {
      const e = createECDH(ecdh)
      e.setPrivateKey(priv)
      return copy(e.getPublicKey(null, 'compressed'))
    },
    compress: (point) => copy(ECDH.convertKey(point, ecdh, undefined, undefined, 'compressed') as Buffer),
    // JWK import is about twice as fast as SPKI DER in OpenSSL 3's decoders.
    importPublicKey: (pub) => createPublicKey({ key: jwkFor(uncompressed(pub) as Buffer), format: 'jwk' }),
    importPrivateKey: (priv) => {
      const e = createECDH(ecdh)
      e.setPrivateKey(priv)
      return createPrivateKey({ key: { ...jwkFor(e.getPublicKey()), d: b64url(priv) }, format: 'jwk' })
    },
    sign: (key, msg) => copy(nodeSign('sha256', msg, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' })),
    verify: (key, msg, sig) => {
      try {
        return nodeVerify('sha256', msg, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' }, sig)
      } catch {
        return false
      }
    },
  }
}

// ---- libsecp256k1 (the `secp256k1` package) ----

/** The part of the `secp256k1` package's API used here. */
interface Secp256k1Lib {
  publicKeyCreate(priv: Uint8Array, compressed?: boolean): Uint8Array
  publicKeyConvert(pub: Uint8Array, compressed?: boolean): Uint8Array
  ecdsaSign(msg32: Uint8Array, priv: Uint8Array): { signature: Uint8Array; recid: number }
}

/** The native addon's own verify: 0 valid, 3 invalid, 1/2 unparsable signature/key; throws on wrong lengths. */
interface Secp256k1Addon {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pub: Uint8Array): number
}

/** Compressed public key of the private key 1, i.e. the generator: a self-test of the loaded binary. */
const K256_G = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'

/**
 * Loads the native binding only (`secp256k1/bindings`): the package's main entry would silently fall back
 * to a slow pure-JS implementation, which we would rather replace with OpenSSL. Null if it cannot load.
 */
export function nativeK256Backend(): CurveBackend | null {
  let lib: Secp256k1Lib
  let addon: Secp256k1Addon
  try {
    const require = createRequire(import.meta.url)
    lib = require('secp256k1/bindings') as Secp256k1Lib
    const one = new Uint8Array(32)
    one[31] = 1
    if (Buffer.from(lib.publicKeyCreate(one, true)).toString('hex') !== K256_G) return null
    // The package's wrapper re-validates every argument in JS on each call; verification (the relay's
    // hottest call) goes to the addon directly: our keys are always 65-byte points from importPublicKey,
    // and the addon itself checks the signature and digest lengths.
    const pkg = require.resolve('secp256k1/package.json')
    const load = createRequire(pkg)('node-gyp-build') as (dir: string) => { Secp256k1: new () => Secp256k1Addon }
    addon = new (load(dirname(pkg)).Secp256k1)()
  } catch {
    return null
  }
  return {
    impl: 'libsecp256k1',
    publicKey: (priv) => copy(lib.publicKeyCreate(priv, true)),
    compress: (point) => copy(lib.publicKeyConvert(point, true)),
    // Uncompressed keys save libsecp256k1 a square root on every verification.
    importPublicKey: (pub) => lib.publicKeyConvert(pub, false),
    importPrivateKey: (priv) => priv.slice(),
    // libsecp256k1 signs deterministically (RFC 6979) and always emits low-S.
    sign: (priv, msg) => copy(lib.ecdsaSign(sha256(msg), priv as Uint8Array).signature),
    verify: (pub, msg, sig) => {
      try {
        return addon.ecdsaVerify(sig, sha256(msg), pub as Uint8Array) === 0
      } catch {
        return false
      }
    },
  }
}

// ---- the platform's choice ----

let k256Impl: CurveBackend | undefined
const k256Backend = (): CurveBackend => {
  k256Impl ??= nativeK256Backend() ?? opensslBackend('k256')
  return k256Impl
}

/** k256: libsecp256k1 when its binary loads (first use), else OpenSSL. */
export const k256: CurveBackend = {
  get impl() {
    return k256Backend().impl
  },
  publicKey: (priv) => k256Backend().publicKey(priv),
  compress: (point) => k256Backend().compress(point),
  importPublicKey: (pub) => k256Backend().importPublicKey(pub),
  importPrivateKey: (priv) => k256Backend().importPrivateKey(priv),
  sign: (key, msg) => k256Backend().sign(key, msg),
  verify: (key, msg, sig) => k256Backend().verify(key, msg, sig),
}

/** p256: OpenSSL (measured 30-40x faster than @noble/curves for verification). */
export const p256: CurveBackend = opensslBackend('p256')
