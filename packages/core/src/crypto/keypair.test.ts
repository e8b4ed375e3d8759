/** Key pairs: import/export, key range checks, did:key, low-S signing on every backend. */
import { p256 as nobleP256 } from '@noble/curves/nist.js'
import { secp256k1 as nobleK256 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex, utf8Encode } from '../bytes/index.ts'
import * as browser from '../platform/browser/crypto.ts'
import { nativeK256Backend } from '../platform/node/crypto.ts'
import { BACKEND_SETS } from './backend-sets.test-util.ts'
import { K256, P256 } from './curves.ts'
import { CryptoError, InvalidKeyError, P256Keypair, Secp256k1Keypair, verifySignature } from './index.ts'
import { EcKeypair } from './keypair.ts'
import { hasHighS } from './signature.ts'

const ORDERS = {
  ES256K: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
}
const hex32 = (n: bigint) => n.toString(16).padStart(64, '0')

describe.each([
  ['ES256K', Secp256k1Keypair, nobleK256],
  ['ES256', P256Keypair, nobleP256],
] as const)('%s', (alg, Kp, noble) => {
  const n = ORDERS[alg]
  const privHex = 'c0a6a7c560d37d7ba81ecee9543721ff48fea3e0fb827d42c1868226540fac15'

  it('imports hex (either case) and bytes alike, and derives the public key', () => {
    const a = Kp.import(privHex)
    expect(a.jwtAlg).toBe(alg)
    expect(Kp.import(privHex.toUpperCase()).did()).toBe(a.did())
    expect(Kp.import(fromHex(privHex)).did()).toBe(a.did())
    expect(a.publicKeyBytes()).toEqual(noble.getPublicKey(fromHex(privHex), true))
  })

  it('accepts 1 and n-1, rejects 0, n, above n and wrong lengths', () => {
    expect(() => Kp.import(hex32(1n))).not.toThrow()
    expect(() => Kp.import(hex32(n - 1n))).not.toThrow()
    for (const bad of [hex32(0n), hex32(n), hex32(n + 1n), 'f'.repeat(64), privHex.slice(2), `${privHex}00`]) {
      expect(() => Kp.import(bad)).toThrow(InvalidKeyError)
    }
    expect(() => Kp.import('xyz')).toThrow(InvalidKeyError)
    expect(() => Kp.import(`${privHex}0`)).toThrow(InvalidKeyError)
    expect(() => Kp.import(new Uint8Array(31).fill(1))).toThrow(InvalidKeyError)
    expect(() => Kp.import(42 as unknown as string)).toThrow(InvalidKeyError)
  })

  it('exports only when exportable, as copies', () => {
    const priv = fromHex(privHex)
    const kp = Kp.import(priv, { exportable: true })
    priv.fill(0) // the key pair keeps its own copy
    expect(toHex(kp.exportPrivateKey())).toBe(privHex)
    expect(kp.exportPrivateKeyHex()).toBe(privHex)
    kp.exportPrivateKey().fill(0)
    expect(kp.exportPrivateKeyHex()).toBe(privHex)
    expect(Kp.import(kp.exportPrivateKey()).did()).toBe(kp.did())
    expect(() => Kp.import(privHex).exportPrivateKey()).toThrow(CryptoError)
    kp.publicKeyBytes().fill(0)
    expect(kp.publicKeyBytes()[0]).toBeGreaterThan(1)
  })

  it('creates distinct random keys that sign verifiably', () => {
    const a = Kp.create({ exportable: true })
    const b = Kp.create()
    expect(a.did()).not.toBe(b.did())
    expect(a.exportPrivateKey().length).toBe(32)
    const msg = utf8Encode('hello world')
    expect(verifySignature(a.did(), msg, a.sign(msg))).toBe(true)
    expect(verifySignature(b.did(), msg, a.sign(msg))).toBe(false)
  })

  it('refuses to sign non-bytes', () => {
    expect(() => Kp.import(privHex).sign('hello' as unknown as Uint8Array)).toThrow(TypeError)
  })
})

describe.each(BACKEND_SETS)('%s', (_name, backends) => {
  it.each([K256, P256])('$jwtAlg: every signature is compact, low-S and valid for sha-256(msg)', (curve) => {
    const priv = fromHex('175a232d440be1e0788f25488a73d9416c04b6f924bea6354bf05dd2f1a75133')
    const kp = new EcKeypair(curve, priv, {}, backends[curve.name])
    const noble = curve === K256 ? nobleK256 : nobleP256
    for (let i = 0; i < 40; i++) {
      const msg = utf8Encode(`message ${i}`)
      const sig = kp.sign(msg)
      expect(sig.length).toBe(64)
      expect(hasHighS(sig, curve)).toBe(false)
      expect(noble.verify(sig, sha256(msg), kp.publicKeyBytes(), { prehash: false, lowS: true })).toBe(true)
    }
  })
})

const native = nativeK256Backend()
it.skipIf(native === null)('k256 signatures are deterministic (RFC 6979), the same in libsecp256k1 and noble', () => {
  const priv = fromHex('9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0c')
  const lib = new EcKeypair(K256, priv, {}, native ?? undefined)
  const pure = new EcKeypair(K256, priv, {}, browser.k256)
  for (let i = 0; i < 20; i++) {
    const msg = utf8Encode(`commit ${i}`)
    expect(lib.sign(msg)).toEqual(lib.sign(msg))
    expect(lib.sign(msg)).toEqual(pure.sign(msg))
  }
})
