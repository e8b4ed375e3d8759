/**
 * Every case of the official crypto interop vectors (test-vectors/crypto), on every backend: signature
 * fixtures (valid, high-S, DER) and private key → did:key for both curves.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromBase58btc, fromBase64, fromHex } from '../bytes/index.ts'
import { BACKEND_SETS } from './backend-sets.test-util.ts'
import { K256, P256 } from './curves.ts'
import { formatDidKey, parseDidDocKey, parseDidKey } from './did-key.ts'
import { P256Keypair, Secp256k1Keypair } from './index.ts'
import { EcKeypair } from './keypair.ts'
import { createVerifier, verifySignature } from './verify.ts'

const read = <T>(file: string): T =>
  JSON.parse(readFileSync(new URL(`../../../../test-vectors/crypto/${file}`, import.meta.url), 'utf8')) as T

interface SigFixture {
  comment: string
  messageBase64: string
  algorithm: string
  didDocSuite: string
  publicKeyDid: string
  publicKeyMultibase: string
  signatureBase64: string
  validSignature: boolean
  tags: string[]
}
const sigFixtures = read<SigFixture[]>('signature-fixtures.json')
const k256Keys = read<{ privateKeyBytesHex: string; publicDidKey: string }[]>('w3c_didkey_K256.json')
const p256Keys = read<{ privateKeyBytesBase58: string; publicDidKey: string }[]>('w3c_didkey_P256.json')

it('reads all the vectors', () => {
  expect(sigFixtures.length).toBe(6)
  expect(sigFixtures.filter((f) => f.tags.includes('high-s')).length).toBe(2)
  expect(sigFixtures.filter((f) => f.tags.includes('der-encoded')).length).toBe(2)
  expect(k256Keys.length).toBe(5)
  expect(p256Keys.length).toBe(1)
})

it('the public API verifies every signature fixture as the vectors say', () => {
  for (const f of sigFixtures) {
    const ok = verifySignature(f.publicKeyDid, fromBase64(f.messageBase64), fromBase64(f.signatureBase64))
    expect(ok, f.comment).toBe(f.validSignature)
  }
})

it('the public key pairs derive the vectors’ did:keys', () => {
  for (const k of k256Keys) expect(Secp256k1Keypair.import(k.privateKeyBytesHex).did()).toBe(k.publicDidKey)
  for (const k of p256Keys) {
    expect(P256Keypair.import(fromBase58btc(k.privateKeyBytesBase58)).did()).toBe(k.publicDidKey)
  }
})

describe.each(BACKEND_SETS)('%s', (_name, backends) => {
  const verify = createVerifier(backends)

  it.each(sigFixtures.map((f) => [f.comment, f] as const))('%s', (_comment, f) => {
    const msg = fromBase64(f.messageBase64)
    const sig = fromBase64(f.signatureBase64)
    expect(verify(f.publicKeyDid, msg, sig)).toBe(f.validSignature)
    // The invalid ones are the valid signature in a malleable form: accepted only when asked to.
    expect(verify(f.publicKeyDid, msg, sig, { allowMalleableSig: true })).toBe(true)
    // Wrong message: never valid.
    expect(verify(f.publicKeyDid, msg.subarray(1), sig, { allowMalleableSig: true })).toBe(false)

    const parsed = parseDidKey(f.publicKeyDid, backends)
    expect(parsed.jwtAlg).toBe(f.algorithm)
    expect(parsed.keyBytes.length).toBe(33)
    expect(formatDidKey(parsed.jwtAlg, parsed.keyBytes)).toBe(f.publicKeyDid)
    // The DID-document form of the same key (legacy suite: bare point, no multicodec).
    expect(parseDidDocKey(f.didDocSuite, f.publicKeyMultibase, backends)).toEqual(parsed)
  })

  it('derives the did:key of every K-256 vector private key', () => {
    for (const k of k256Keys) {
      const kp = new EcKeypair(K256, fromHex(k.privateKeyBytesHex), {}, backends.k256)
      expect(kp.did()).toBe(k.publicDidKey)
    }
  })

  it('derives the did:key of every P-256 vector private key', () => {
    for (const k of p256Keys) {
      const kp = new EcKeypair(P256, fromBase58btc(k.privateKeyBytesBase58), {}, backends.p256)
      expect(kp.did()).toBe(k.publicDidKey)
    }
  })
})
