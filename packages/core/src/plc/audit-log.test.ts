/**
 * Whole-log verification: audit logs (with nullified entries) that a correct directory produces
 * verify; every way of lying about one (flags, timestamps, order, CIDs, signature encodings) fails.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url } from '../bytes/index.ts'
import { P256Keypair, Secp256k1Keypair } from '../crypto/index.ts'
import type { Keypair } from '../crypto/index.ts'
import * as plc from './index.ts'
import { prng, randBytes } from './test-util.ts'

const HOUR = 3600_000
const T0 = Date.parse('2024-05-01T00:00:00.000Z')
const iso = (t: number) => new Date(t).toISOString()

let A: Keypair
let B: Keypair

beforeAll(() => {
  const rand = prng(0xa0d1)
  const k = () => {
    const b = randBytes(rand, 32)
    b[0] &= 0x7f
    return b
  }
  A = P256Keypair.import(k())
  B = Secp256k1Keypair.import(k())
})

function entry(did: string, op: plc.AnyOp, t: number, nullified = false): plc.AuditLogEntry {
  return { did, operation: op, cid: plc.cidForOp(op), nullified, createdAt: iso(t) }
}

/** genesis (B) -> u1 (B, nullified) -> recovery (A, prev = genesis) 10 h later. */
function recoveredLog() {
  const { op: g, did } = plc.createOp({
    signingKey: B.did(),
    handle: 'alice.test',
    pds: 'https://pds.test',
    rotationKeys: [A.did(), B.did()],
    signer: B,
  })
  const u1 = plc.updateHandleOp(g, B, 'mallory.test')
  const r = plc.updateHandleOp(g, A, 'alice2.test')
  return { did, g, u1, r, entries: [entry(did, g, T0), entry(did, u1, T0 + HOUR, true), entry(did, r, T0 + 11 * HOUR)] }
}

describe('verifyAuditLog', () => {
  it('accepts a log with a recovery and returns the final state', () => {
    const { did, entries } = recoveredLog()
    expect(plc.verifyAuditLog(did, entries)?.alsoKnownAs).toEqual(['at://alice2.test'])
  })

  it('accepts a nullification at exactly 72 hours and rejects one a millisecond later', () => {
    const { did, entries } = recoveredLog()
    entries[2].createdAt = iso(T0 + HOUR + 72 * HOUR)
    expect(() => plc.verifyAuditLog(did, entries)).not.toThrow()
    entries[2].createdAt = iso(T0 + HOUR + 72 * HOUR + 1)
    expect(() => plc.verifyAuditLog(did, entries)).toThrow(/recovery window/)
  })

  it('rejects wrong nullified flags', () => {
    const { did, entries } = recoveredLog()
    entries[1].nullified = false
    expect(() => plc.verifyAuditLog(did, entries)).toThrow(plc.InvalidAuditLogError)
    entries[1].nullified = true
    entries[0].nullified = true
    expect(() => plc.verifyAuditLog(did, entries)).toThrow(plc.InvalidAuditLogError)
  })

  it('rejects entries out of time order, CID mismatches and foreign DIDs', () => {
    const { did, entries } = recoveredLog()
    expect(() => plc.verifyAuditLog(did, [entries[0], entries[2], entries[1]])).toThrow(/order/)
    expect(() => plc.verifyAuditLog(did, [entries[0], { ...entries[1], cid: entries[0].cid }, entries[2]])).toThrow(
      /cid/,
    )
    expect(() => plc.verifyAuditLog(did, [{ ...entries[0], did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' }])).toThrow(
      /entry is for/,
    )
    expect(() => plc.verifyAuditLog(did, [])).toThrow(plc.InvalidAuditLogError)
  })

  it('rejects a recovery by the key that signed the nullified op', () => {
    const { did, g, u1 } = recoveredLog()
    const r = plc.updateHandleOp(g, B, 'again.test')
    expect(() =>
      plc.verifyAuditLog(did, [entry(did, g, T0), entry(did, u1, T0 + 1, true), entry(did, r, T0 + 2)]),
    ).toThrow(/higher priority/)
  })

  it('handles tombstones: final, nullifiable, and nothing may follow them', () => {
    const { did, g } = recoveredLog()
    const t = plc.tombstoneOp(plc.cidForOp(g), B)
    expect(plc.verifyAuditLog(did, [entry(did, g, T0), entry(did, t, T0 + 1)])).toBeNull()
    const r = plc.updateHandleOp(g, A, 'back.test')
    expect(
      plc.verifyAuditLog(did, [entry(did, g, T0), entry(did, t, T0 + 1, true), entry(did, r, T0 + 2)])?.alsoKnownAs,
    ).toEqual(['at://back.test'])
    const after = plc.signOperation({ ...plc.updateHandleOp(g, B, 'x.test'), prev: plc.cidForOp(t) }, B)
    expect(() =>
      plc.verifyAuditLog(did, [entry(did, g, T0), entry(did, t, T0 + 1), entry(did, after, T0 + 2)]),
    ).toThrow(/tombstone/)
  })

  it('rejects an update building on a nullified op', () => {
    const { did, entries, u1 } = recoveredLog()
    const onNullified = plc.updateHandleOp(u1, A, 'z.test')
    expect(() => plc.verifyAuditLog(did, [...entries, entry(did, onNullified, T0 + 12 * HOUR)])).toThrow(
      /not an active operation/,
    )
  })
})

describe('signature encodings', () => {
  const N: Record<string, bigint> = {
    ES256K: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
    ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  }
  const toBig = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`)
  const fromBig = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'))

  function variants(op: plc.Operation, key: Keypair): Record<string, string> {
    const sig = fromBase64Url(op.sig)
    const s = toBig(sig.subarray(32))
    const highS = new Uint8Array(64)
    highS.set(sig.subarray(0, 32))
    highS.set(fromBig(N[key.jwtAlg] - s), 32)
    const last = op.sig[op.sig.length - 1]
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const bumped = alphabet[alphabet.indexOf(last) + 1] // same bytes, non-zero trailing bits
    const der = Uint8Array.from([0x30, 68, 0x02, 32, ...sig.subarray(0, 32), 0x02, 32, ...sig.subarray(32)])
    return {
      padded: `${op.sig}==`,
      newline: `${op.sig}\n`,
      trailingBits: op.sig.slice(0, -1) + bumped,
      highS: toBase64Url(highS),
      der: toBase64Url(der),
      standardBase64: Buffer.from(sig).toString('base64').replace(/=+$/, ''),
    }
  }

  for (const alg of ['ES256K', 'ES256'] as const) {
    it(`${alg}: malleable or non-canonical signatures are rejected`, () => {
      const key = alg === 'ES256K' ? B : A
      const { op, did } = plc.createOp({
        signingKey: key.did(),
        handle: 'a.test',
        pds: 'https://p.test',
        rotationKeys: [key.did()],
        signer: key,
      })
      const u = plc.updateHandleOp(op, key, 'b.test')
      expect(plc.validateOperationLog(did, [op, u])).not.toBeNull()
      for (const [name, sig] of Object.entries(variants(u, key))) {
        if (sig === u.sig) continue // e.g. standard base64 with no +/ characters in it
        expect(() => plc.validateOperationLog(did, [op, { ...u, sig }]), name).toThrow(plc.InvalidSignatureError)
      }
    })
  }
})
