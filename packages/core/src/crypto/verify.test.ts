/**
 * verifySignature on hostile and odd input: it answers false and never throws. Also the key cache
 * (bounded, evicting least recently used) and byte views at non-zero offsets.
 */
import { p256 as nobleP256 } from '@noble/curves/nist.js'
import { secp256k1 as nobleK256 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { concat, encodeVarint, toBase58btc, utf8Encode } from '../bytes/index.ts'
import { BACKEND_SETS } from './backend-sets.test-util.ts'
import { K256, P256 } from './curves.ts'
import { P256Keypair, Secp256k1Keypair, verifySignature } from './index.ts'
import { EcKeypair } from './keypair.ts'
import { LruMap } from './lru.ts'
import { createVerifier } from './verify.ts'

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe.each(BACKEND_SETS)('%s', (_name, backends) => {
  const verify = createVerifier(backends)
  const keys = [K256, P256].map(
    (c) => new EcKeypair(c, new Uint8Array(32).fill(c === K256 ? 3 : 5), {}, backends[c.name]),
  )

  it('answers false, without throwing, for random and mangled signatures', () => {
    const rand = mulberry32(99)
    const msg = utf8Encode('the message')
    for (const kp of keys) {
      const good = kp.sign(msg)
      expect(verify(kp.did(), msg, good)).toBe(true)
      for (let i = 0; i < 60; i++) {
        const len = i < 25 ? 64 : (rand() * 80) | 0
        const junk = Uint8Array.from({ length: len }, () => (rand() * 256) | 0)
        expect(verify(kp.did(), msg, junk)).toBe(false)
        expect(verify(kp.did(), msg, junk, { allowMalleableSig: true })).toBe(false)
        const flipped = good.slice()
        flipped[(rand() * 64) | 0] ^= 1 << ((rand() * 8) | 0)
        expect(verify(kp.did(), msg, flipped)).toBe(false)
      }
      expect(verify(kp.did(), msg, new Uint8Array(64))).toBe(false)
      expect(verify(kp.did(), msg, new Uint8Array(64).fill(0xff))).toBe(false)
    }
  })

  it('answers false for wrong types and malformed keys', () => {
    const [kp] = keys
    const msg = utf8Encode('x')
    const sig = kp.sign(msg)
    const anyVerify = verify as (...args: unknown[]) => boolean
    for (const args of [
      [kp.did(), msg, null],
      [kp.did(), msg, 'sig'],
      [kp.did(), msg, Array.from(sig)],
      [kp.did(), 'x', sig],
      [kp.did(), undefined, sig],
      [null, msg, sig],
      [42, msg, sig],
      ['did:key:zNotAKey', msg, sig],
      ['did:key:z' + '1'.repeat(100_000), msg, sig],
      [keys[1].did(), msg, sig], // the other curve's key
    ]) {
      expect(anyVerify(...args)).toBe(false)
    }
    expect(verify(kp.did(), msg, sig, null as unknown as undefined)).toBe(true)
  })

  it('reads byte views at non-zero offsets', () => {
    const msg = utf8Encode('offset message')
    for (const kp of keys) {
      const sig = kp.sign(msg)
      const big = concat([new Uint8Array(7), sig, new Uint8Array(9)])
      const bigMsg = concat([new Uint8Array(3), msg, new Uint8Array(5)])
      expect(verify(kp.did(), bigMsg.subarray(3, 3 + msg.length), big.subarray(7, 71))).toBe(true)
    }
  })

  it('keeps verifying correctly through cache evictions', () => {
    const small = createVerifier(backends, 2)
    const many = Array.from({ length: 5 }, (_, i) => {
      const c = i % 2 ? P256 : K256
      return new EcKeypair(c, new Uint8Array(32).fill(i + 10), {}, backends[c.name])
    })
    const msg = utf8Encode('evict')
    for (let round = 0; round < 3; round++) {
      for (const kp of many) {
        expect(small(kp.did(), msg, kp.sign(msg))).toBe(true)
        expect(small(kp.did(), msg.subarray(1), kp.sign(msg))).toBe(false)
      }
    }
  })
})

it('verifies against a did:key written with an uncompressed point', () => {
  for (const kp of [Secp256k1Keypair.create(), P256Keypair.create()]) {
    const c = kp.jwtAlg === 'ES256K' ? K256 : P256
    const noble = kp.jwtAlg === 'ES256K' ? nobleK256 : nobleP256
    const msg = utf8Encode(`uncompressed ${kp.jwtAlg}`)
    const point = noble.Point.fromBytes(kp.publicKeyBytes()).toBytes(false)
    const did = `did:key:z${toBase58btc(concat([encodeVarint(c.multicodec), point]))}`
    expect(did).not.toBe(kp.did())
    expect(verifySignature(did, msg, kp.sign(msg))).toBe(true)
  }
})

describe('LruMap', () => {
  it('evicts the least recently used entry', () => {
    const m = new LruMap<string, number>(3)
    m.set('a', 1)
    m.set('b', 2)
    m.set('c', 3)
    expect(m.get('a')).toBe(1) // a is now the most recent
    m.set('d', 4) // evicts b
    expect(m.size).toBe(3)
    expect(m.get('b')).toBeUndefined()
    expect([m.get('a'), m.get('c'), m.get('d')]).toEqual([1, 3, 4])
    m.set('c', 30) // order by recency: a, d, c
    m.set('e', 5) // evicts a
    expect(m.get('a')).toBeUndefined()
    expect(m.get('c')).toBe(30)
    m.clear()
    expect(m.size).toBe(0)
  })

  it('rejects a non-positive size', () => {
    expect(() => new LruMap(0)).toThrow(RangeError)
  })
})
