/**
 * Randomized oracle tests against the official @atproto/crypto, both curves, on every backend (so the
 * browser path and the OpenSSL fallback are checked too). Seeded: a failure reproduces. For each random
 * private key and message: same did:key as theirs; our signature verifies with theirs and theirs with ours;
 * the high-S twin and the DER form of a valid signature are rejected by both in strict mode and accepted by
 * both when malleable signatures are allowed; a changed message fails everywhere.
 */
import * as official from '@atproto/crypto'
import { p256 as nobleP256 } from '@noble/curves/nist.js'
import { secp256k1 as nobleK256 } from '@noble/curves/secp256k1.js'
import { describe, expect, it } from 'vitest'
import { BACKEND_SETS } from './backend-sets.test-util.ts'
import { type CurveInfo, K256, P256, isScalar } from './curves.ts'
import { EcKeypair } from './keypair.ts'
import { hasHighS, negateS } from './signature.ts'
import { createVerifier } from './verify.ts'

const CASES = 40

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

const randomBytesFrom = (rand: () => number, n: number) => Uint8Array.from({ length: n }, () => (rand() * 256) | 0)

/** Their verdict; they throw for some malformed signatures (e.g. DER in strict mode), which is a rejection. */
const officialVerify = (did: string, msg: Uint8Array, sig: Uint8Array, opts?: { allowMalleableSig?: boolean }) =>
  official.verifySignature(did, msg, sig, opts).catch(() => false)

const CURVES: [CurveInfo, typeof official.Secp256k1Keypair | typeof official.P256Keypair, typeof nobleK256][] = [
  [K256, official.Secp256k1Keypair, nobleK256],
  [P256, official.P256Keypair, nobleP256],
]

describe.each(BACKEND_SETS)('%s', (name, backends) => {
  const verify = createVerifier(backends)

  it.each(CURVES)('$jwtAlg: agrees with @atproto/crypto on random keys and messages', async (curve, Theirs, noble) => {
    const rand = mulberry32(curve.multicodec * 7919 + name.length)
    let done = 0
    /** The high-S twin (s' = n - s: valid ECDSA, not atproto) and the DER form of valid signatures. */
    const checkMalleable = async (did: string, msg: Uint8Array, ourSig: Uint8Array, theirSig: Uint8Array) => {
      const high = negateS(ourSig, curve)
      expect(hasHighS(high, curve)).toBe(true)
      expect(verify(did, msg, high)).toBe(false)
      expect(await officialVerify(did, msg, high)).toBe(false)
      expect(verify(did, msg, high, { allowMalleableSig: true })).toBe(true)
      expect(await officialVerify(did, msg, high, { allowMalleableSig: true })).toBe(true)
      const der = noble.Signature.fromBytes(theirSig, 'compact').toBytes('der')
      expect(verify(did, msg, der)).toBe(false)
      expect(await officialVerify(did, msg, der)).toBe(false)
      expect(verify(did, msg, der, { allowMalleableSig: true })).toBe(true)
    }
    for (let i = 0; i < CASES; i++) {
      const priv = randomBytesFrom(rand, 32)
      if (!isScalar(priv, 0, curve)) continue
      const msg = randomBytesFrom(rand, (rand() * 600) | 0)
      const ours = new EcKeypair(curve, priv, {}, backends[curve.name])
      const theirs = await Theirs.import(priv)
      const did = ours.did()
      expect(did, `case ${i}`).toBe(theirs.did())

      const ourSig = ours.sign(msg)
      expect(ourSig.length).toBe(64)
      expect(hasHighS(ourSig, curve)).toBe(false)
      expect(await officialVerify(did, msg, ourSig), `case ${i}`).toBe(true)
      expect(verify(did, msg, ourSig)).toBe(true)

      const theirSig = await theirs.sign(msg)
      expect(verify(did, msg, theirSig), `case ${i}`).toBe(true)

      // Malleable forms (every 4th case: the official verifier is pure JS and slow).
      if (i % 4 === 0) {
        await checkMalleable(did, msg, ourSig, theirSig)
        const other = msg.length > 0 ? msg.map((b, j) => (j === 0 ? b ^ 1 : b)) : new Uint8Array([0])
        expect(verify(did, other, ourSig)).toBe(false)
        expect(await officialVerify(did, other, ourSig)).toBe(false)
      }
      done++
    }
    expect(done).toBeGreaterThanOrEqual(CASES - 1) // a random 32 bytes is >= n with chance < 2^-32
  })
})
