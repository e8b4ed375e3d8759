/**
 * Test helpers shared by the plc and identity tests (and the server's PLC tests): a seeded PRNG so
 * randomized oracle tests reproduce, and deterministic key pairs available both as our Keypair and
 * as the oracle library's (passed in by the test, since official packages stay out of src) from the
 * same private key bytes. Imported only by *.test.ts files and benches.
 */
import { toHex } from '../bytes/index.ts'
import { P256Keypair, Secp256k1Keypair } from '../crypto/index.ts'
import type { Keypair } from '../crypto/index.ts'

/** mulberry32: tiny, fast, good enough to drive test-case generation. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256)
  return out
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1))
}

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]
}

/** The slice of @atproto/crypto the twins need. */
export interface OfficialCrypto {
  Secp256k1Keypair: { import(priv: string): Promise<OfficialKeypair> }
  P256Keypair: { import(priv: string): Promise<OfficialKeypair> }
}
export interface OfficialKeypair {
  did(): string
  sign(msg: Uint8Array): Promise<Uint8Array>
  jwtAlg: string
}

export interface KeyPair2 {
  ours: Keypair
  theirs: OfficialKeypair
  did: string
}

/** A key on a random curve, usable by both our code and the official library. */
export async function twinKey(
  rand: () => number,
  official: OfficialCrypto,
  curve?: 'k256' | 'p256',
): Promise<KeyPair2> {
  const c = curve ?? (rand() < 0.5 ? 'k256' : 'p256')
  // A random 32-byte value is a valid scalar on both curves with overwhelming probability; top byte
  // kept small to be certain it is below the group order.
  const priv = randBytes(rand, 32)
  priv[0] = priv[0] & 0x7f
  priv[31] |= 1
  const ours = c === 'k256' ? Secp256k1Keypair.import(priv) : P256Keypair.import(priv)
  const theirs =
    c === 'k256' ? await official.Secp256k1Keypair.import(toHex(priv)) : await official.P256Keypair.import(toHex(priv))
  if (ours.did() !== theirs.did()) throw new Error('twin keys disagree on did:key')
  return { ours, theirs, did: ours.did() }
}

/** A random lowercase handle under .test. */
export function randHandle(rand: () => number): string {
  const len = randInt(rand, 1, 20)
  let s = ''
  for (let i = 0; i < len; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(rand() * 36)]
  return `${s}.test`
}
