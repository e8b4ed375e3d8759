/**
 * k256 and p256 sign and verify: ours vs the official @atproto/crypto, node:crypto (OpenSSL), the
 * `secp256k1` package (native libsecp256k1) and @noble/curves. Every row includes sha-256 of a 200-byte
 * message (commit-sized) since ours hashes too. Verification repeats one key (the relay's pattern: an
 * account's key is used for every commit it sends); a last table shows keys seen for the first time.
 * References get their best case: pre-imported KeyObjects, raw public key bytes, no did:key parsing.
 * Figures are per CPU second (best of interleaved slices), which stays meaningful on a busy machine.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { createRequire } from 'node:module'
import * as official from '@atproto/crypto'
import { p256 as nobleP256 } from '@noble/curves/nist.js'
import { secp256k1 as nobleK256 } from '@noble/curves/secp256k1.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import * as browser from '../packages/core/src/platform/browser/crypto.ts'
import { platformBackends } from '../packages/core/src/crypto/backend.ts'
import { K256, P256 } from '../packages/core/src/crypto/curves.ts'
import { P256Keypair, Secp256k1Keypair, verifySignature } from '../packages/core/src/crypto/index.ts'
import { EcKeypair } from '../packages/core/src/crypto/keypair.ts'
import { createVerifier } from '../packages/core/src/crypto/verify.ts'
import { type Measured, printComparison, printTable } from './lib.ts'

const MS = 1000
const ROUNDS = 10

/**
 * Like lib.ts `measure`, but charges each slice the process CPU time it used rather than wall time: on a
 * shared 2-core machine other processes' load then does not count against whichever row was running.
 */
async function measureCpu(name: string, fn: () => unknown, ms: number): Promise<Measured> {
  const warmEnd = performance.now() + 20
  while (performance.now() < warmEnd) await fn()
  let n = 0
  const cpu0 = process.cpuUsage()
  const end = performance.now() + ms
  while (performance.now() < end) {
    const r = fn()
    if (r instanceof Promise) await r
    n++
  }
  const cpu = process.cpuUsage(cpu0)
  const usPerOp = (cpu.user + cpu.system) / n
  return { name, opsPerSec: 1e6 / usPerOp, usPerOp }
}

/**
 * Measures every row in ROUNDS interleaved slices and keeps each row's best slice (least CPU per op), so
 * that no row gets all the quiet (or all the busy) moments.
 */
async function compare(title: string, rows: [string, () => unknown][]): Promise<void> {
  const best = new Map<string, Measured>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of rows) {
      const m = await measureCpu(name, fn, MS / ROUNDS)
      const prev = best.get(name)
      if (prev === undefined || m.opsPerSec > prev.opsPerSec) best.set(name, m)
    }
  }
  printComparison(
    title,
    rows.map(([name]) => best.get(name) as Measured),
  )
}

interface Secp256k1Lib {
  ecdsaSign(msg32: Uint8Array, priv: Uint8Array): { signature: Uint8Array }
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pub: Uint8Array): boolean
}
const secp256k1 = createRequire(import.meta.url)('secp256k1') as Secp256k1Lib

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest()
const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url')

/** KeyObjects for node:crypto from a raw private key (JWK needs x and y: take them from the uncompressed point). */
function nodeKeys(crv: string, priv: Uint8Array, pub65: Uint8Array): { priv: KeyObject; pub: KeyObject } {
  const jwk = { kty: 'EC', crv, x: b64url(pub65.subarray(1, 33)), y: b64url(pub65.subarray(33)) }
  return {
    priv: createPrivateKey({ key: { ...jwk, d: b64url(priv) }, format: 'jwk' }),
    pub: createPublicKey({ key: jwk, format: 'jwk' }),
  }
}

async function check(name: string, ok: boolean | Promise<boolean>): Promise<void> {
  if (!(await ok)) throw new Error(`bench setup: ${name} does not verify`)
}

async function k256Rows(msg: Uint8Array): Promise<void> {
  const priv = nobleK256.utils.randomSecretKey()
  const ours = Secp256k1Keypair.import(priv)
  const theirs = await official.Secp256k1Keypair.import(priv)
  const did = ours.did()
  const pub33 = ours.publicKeyBytes()
  const node = nodeKeys('secp256k1', priv, nobleK256.getPublicKey(priv, false))
  const sig = ours.sign(msg)
  const p1363 = { dsaEncoding: 'ieee-p1363' } as const
  await check('ours', verifySignature(did, msg, sig))
  await check('theirs', official.verifySignature(did, msg, sig))
  await check('node', nodeVerify('sha256', msg, { key: node.pub, ...p1363 }, sig))

  await compare('k256 sign', [
    ['ours (libsecp256k1)', () => ours.sign(msg)],
    ['@atproto/crypto', () => theirs.sign(msg)],
    ['node:crypto (no low-S step)', () => nodeSign('sha256', msg, { key: node.priv, ...p1363 })],
    ['secp256k1 package', () => secp256k1.ecdsaSign(sha256(msg), priv)],
    ['@noble/curves', () => nobleK256.sign(nobleSha256(msg), priv, { prehash: false })],
  ])
  await compare('k256 verify (same key)', [
    ['ours (libsecp256k1)', () => verifySignature(did, msg, sig)],
    ['@atproto/crypto', () => official.verifySignature(did, msg, sig)],
    ['node:crypto', () => nodeVerify('sha256', msg, { key: node.pub, ...p1363 }, sig)],
    ['secp256k1 package', () => secp256k1.ecdsaVerify(sig, sha256(msg), pub33)],
    ['@noble/curves', () => nobleK256.verify(sig, nobleSha256(msg), pub33, { prehash: false })],
  ])
}

async function p256Rows(msg: Uint8Array): Promise<void> {
  const priv = nobleP256.utils.randomSecretKey()
  const ours = P256Keypair.import(priv)
  const theirs = await official.P256Keypair.import(priv)
  const did = ours.did()
  const pub33 = ours.publicKeyBytes()
  const node = nodeKeys('P-256', priv, nobleP256.getPublicKey(priv, false))
  const sig = ours.sign(msg)
  const p1363 = { dsaEncoding: 'ieee-p1363' } as const
  await check('ours', verifySignature(did, msg, sig))
  await check('theirs', official.verifySignature(did, msg, sig))

  await compare('p256 sign', [
    ['ours (node:crypto)', () => ours.sign(msg)],
    ['@atproto/crypto', () => theirs.sign(msg)],
    ['node:crypto (no low-S step)', () => nodeSign('sha256', msg, { key: node.priv, ...p1363 })],
    ['@noble/curves', () => nobleP256.sign(nobleSha256(msg), priv, { prehash: false })],
  ])
  await compare('p256 verify (same key)', [
    ['ours (node:crypto)', () => verifySignature(did, msg, sig)],
    ['@atproto/crypto', () => official.verifySignature(did, msg, sig)],
    ['node:crypto', () => nodeVerify('sha256', msg, { key: node.pub, ...p1363 }, sig)],
    ['@noble/curves', () => nobleP256.verify(sig, nobleSha256(msg), pub33, { prehash: false })],
  ])
}

/** Each call uses a key not in the cache (cache of 1 over 64 rotating keys): did:key parse + key import + verify. */
async function coldRows(msg: Uint8Array): Promise<void> {
  const rows: Measured[] = []
  for (const Kp of [Secp256k1Keypair, P256Keypair]) {
    const signed = Array.from({ length: 64 }, () => {
      const kp = Kp.create()
      return { did: kp.did(), sig: kp.sign(msg) }
    })
    const cold = createVerifier(platformBackends, 1)
    let i = 0
    const name = `ours ${Kp === Secp256k1Keypair ? 'k256' : 'p256'}, key not cached`
    const next = () => {
      const s = signed[i++ & 63]
      return cold(s.did, msg, s.sig)
    }
    rows.push(await measureCpu(name, next, MS))
  }
  printTable(
    'verify with a did:key not in the cache',
    ['', 'ops/s', 'µs/op'],
    rows.map((r) => [r.name, r.opsPerSec, r.usPerOp]),
  )
}

/** The browser path (pure JS) for reference: what a web app gets. */
async function browserRows(msg: Uint8Array): Promise<void> {
  const backends = { k256: browser.k256, p256: browser.p256 }
  const verify = createVerifier(backends)
  for (const c of [K256, P256]) {
    const noble = c === K256 ? nobleK256 : nobleP256
    const kp = new EcKeypair(c, noble.utils.randomSecretKey(), {}, backends[c.name])
    const sig = kp.sign(msg)
    const pub = kp.publicKeyBytes()
    await compare(`${c.name} verify, browser path`, [
      ['ours (@noble/curves)', () => verify(kp.did(), msg, sig)],
      ['@noble/curves', () => noble.verify(sig, nobleSha256(msg), pub, { prehash: false })],
    ])
  }
}

export default async function (): Promise<void> {
  const msg = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff)
  await k256Rows(msg)
  await p256Rows(msg)
  await coldRows(msg)
  await browserRows(msg)
}
