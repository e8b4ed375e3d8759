/**
 * did:key / multikey parsing and formatting on every backend: compressed and uncompressed points,
 * points not on the curve, unsupported codecs, malformed strings, legacy DID-document key forms.
 */
import { p256 as nobleP256 } from '@noble/curves/nist.js'
import { secp256k1 as nobleK256 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { concat, encodeVarint, fromHex, toBase58btc } from '../bytes/index.ts'
import { BACKEND_SETS } from './backend-sets.test-util.ts'
import { type CurveInfo, K256, P256 } from './curves.ts'
import { formatDidKey, formatMultikey, parseDidDocKey, parseDidKey, parseMultikey } from './did-key.ts'
import { InvalidKeyError } from './errors.ts'

// Curve equations y² = x³ + ax + b (mod p), written out independently of the code under test.
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const EQUATIONS: [CurveInfo, bigint, bigint, bigint, typeof nobleK256][] = [
  [K256, 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn, 0n, 7n, nobleK256],
  [P256, P256_P, P256_P - 3n, 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn, nobleP256],
]

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n
  let b = base % m
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m
    b = (b * b) % m
  }
  return r
}

const be32 = (n: bigint) => fromHex(n.toString(16).padStart(64, '0'))
const multikeyOf = (code: number, key: Uint8Array) => `z${toBase58btc(concat([encodeVarint(code), key]))}`

describe.each(BACKEND_SETS)('%s', (_name, backends) => {
  describe.each(EQUATIONS)('$jwtAlg', (c, p, a, b, noble) => {
    const rhs = (x: bigint) => (((x * x * x + a * x + b) % p) + p) % p
    const isSquare = (v: bigint) => v === 0n || modPow(v, (p - 1n) / 2n, p) === 1n
    const priv = be32(0x1234567890abcdefn)
    const compressed = noble.getPublicKey(priv, true)
    const uncompressed = noble.getPublicKey(priv, false)

    it('round-trips a compressed key', () => {
      const did = formatDidKey(c.jwtAlg, compressed)
      expect(did.startsWith(c.jwtAlg === 'ES256K' ? 'did:key:zQ3s' : 'did:key:zDna')).toBe(true)
      expect(parseDidKey(did, backends)).toEqual({ jwtAlg: c.jwtAlg, keyBytes: compressed })
      expect(parseMultikey(did.slice(8), backends)).toEqual({ jwtAlg: c.jwtAlg, keyBytes: compressed })
      expect(formatMultikey(c.jwtAlg, compressed, backends)).toBe(did.slice(8))
    })

    it('accepts an uncompressed key and returns it compressed', () => {
      const parsed = parseMultikey(multikeyOf(c.multicodec, uncompressed), backends)
      expect(parsed).toEqual({ jwtAlg: c.jwtAlg, keyBytes: compressed })
      expect(formatMultikey(c.jwtAlg, uncompressed, backends)).toBe(formatMultikey(c.jwtAlg, compressed, backends))
    })

    it('rejects x coordinates with no point on the curve, accepts those with one', () => {
      let rejected = 0
      let accepted = 0
      for (let x = 1n; x < 40n; x++) {
        const key = concat([new Uint8Array([2]), be32(x)])
        const mk = multikeyOf(c.multicodec, key)
        if (isSquare(rhs(x))) {
          expect(parseMultikey(mk, backends).keyBytes).toEqual(key)
          accepted++
        } else {
          expect(() => parseMultikey(mk, backends)).toThrow(InvalidKeyError)
          rejected++
        }
      }
      expect(rejected).toBeGreaterThan(5)
      expect(accepted).toBeGreaterThan(5)
    })

    it('rejects an uncompressed point off the curve', () => {
      const bad = uncompressed.slice()
      bad[64] ^= 1
      expect(() => parseMultikey(multikeyOf(c.multicodec, bad), backends)).toThrow(InvalidKeyError)
      expect(() => formatMultikey(c.jwtAlg, bad, backends)).toThrow(InvalidKeyError)
    })

    it.each([
      ['32 bytes', (k: Uint8Array) => k.subarray(1)],
      ['34 bytes', (k: Uint8Array) => concat([k, new Uint8Array([0])])],
      ['bad prefix byte', (k: Uint8Array) => concat([new Uint8Array([4]), k.subarray(1)])],
      ['prefix 0x00', (k: Uint8Array) => concat([new Uint8Array([0]), k.subarray(1)])],
      ['empty', () => new Uint8Array(0)],
    ])('rejects a key of the wrong shape: %s', (_what, mangle) => {
      expect(() => parseMultikey(multikeyOf(c.multicodec, mangle(compressed)), backends)).toThrow(InvalidKeyError)
    })

    it('reads the legacy DID-document suites (bare points) and Multikey', () => {
      const suite = c.jwtAlg === 'ES256K' ? 'EcdsaSecp256k1VerificationKey2019' : 'EcdsaSecp256r1VerificationKey2019'
      const expected = { jwtAlg: c.jwtAlg, keyBytes: compressed }
      expect(parseDidDocKey(suite, `z${toBase58btc(compressed)}`, backends)).toEqual(expected)
      expect(parseDidDocKey(suite, `z${toBase58btc(uncompressed)}`, backends)).toEqual(expected)
      expect(parseDidDocKey('Multikey', multikeyOf(c.multicodec, compressed), backends)).toEqual(expected)
      expect(() => parseDidDocKey('Ed25519VerificationKey2020', `z${toBase58btc(compressed)}`)).toThrow(InvalidKeyError)
      expect(() => parseDidDocKey('toString', `z${toBase58btc(compressed)}`)).toThrow(InvalidKeyError)
    })
  })
})

describe('malformed did:key strings', () => {
  const k256Key = nobleK256.getPublicKey(be32(42n), true)
  it.each([
    ['no did:key: prefix', `did:web:${multikeyOf(0xe7, k256Key)}`],
    ['no multibase prefix', `did:key:${multikeyOf(0xe7, k256Key).slice(1)}`],
    ['base32 multibase', 'did:key:bafyabc'],
    ['invalid base58 character', `did:key:${multikeyOf(0xe7, k256Key)}0`],
    ['empty', ''],
    ['only the prefix', 'did:key:'],
    ['only z', 'did:key:z'],
    ['ed25519 key', `did:key:${multikeyOf(0xed, new Uint8Array(32).fill(7))}`],
    ['non-minimal varint codec', `did:key:z${toBase58btc(concat([new Uint8Array([0xe7, 0x81, 0x00]), k256Key]))}`],
    ['truncated varint', `did:key:z${toBase58btc(new Uint8Array([0xe7]))}`],
    ['huge input', `did:key:z${'2'.repeat(1_000_000)}`],
  ])('rejects %s', (_what, did) => {
    expect(() => parseDidKey(did)).toThrow(InvalidKeyError)
  })

  it('rejects non-strings with InvalidKeyError', () => {
    expect(() => parseDidKey(undefined as unknown as string)).toThrow(InvalidKeyError)
    expect(() => parseMultikey(12 as unknown as string)).toThrow(InvalidKeyError)
  })

  it('rejects unknown algorithms when formatting', () => {
    expect(() => formatDidKey('EdDSA', k256Key)).toThrow(InvalidKeyError)
    expect(() => formatMultikey('es256k', k256Key)).toThrow(InvalidKeyError)
  })

  it('the codecs are encoded as varints 0xe7 0x01 and 0x80 0x24', () => {
    expect(parseDidKey(`did:key:z${toBase58btc(concat([fromHex('e701'), k256Key]))}`).jwtAlg).toBe('ES256K')
    const p256Key = nobleP256.getPublicKey(be32(42n), true)
    expect(parseDidKey(`did:key:z${toBase58btc(concat([fromHex('8024'), p256Key]))}`).jwtAlg).toBe('ES256')
  })
})
