/**
 * The rotation-key priority and 72-hour recovery window, scripted with an injected clock, checked
 * against the reference's assureValidNextOp (whose clock is Date.now, faked here).
 */
import * as officialCrypto from '@atproto/crypto'
import * as lib from '@did-plc/lib'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as plc from './index.ts'
import { type KeyPair2, prng, twinKey } from './test-util.ts'

const HOUR = 60 * 60 * 1000
const T0 = Date.parse('2024-03-01T00:00:00.000Z')

let A: KeyPair2 // highest priority (index 0)
let B: KeyPair2 // lower priority (index 1)
let C: KeyPair2 // never a rotation key of the fork point

beforeAll(async () => {
  const rand = prng(0x7ec0)
  A = await twinKey(rand, officialCrypto, 'p256')
  B = await twinKey(rand, officialCrypto, 'k256')
  C = await twinKey(rand, officialCrypto, 'k256')
})

afterEach(() => {
  vi.useRealTimers()
})

/** A tiny in-memory directory: active log plus every entry, with explicit timestamps. */
class Log {
  all: plc.IndexedOperation[] = []
  constructor(readonly did: string) {}
  get active() {
    return this.all.filter((o) => !o.nullified)
  }
  apply(op: plc.AnyOp, at: number): plc.NextOpResult {
    const res = plc.assureValidNextOp(this.did, this.active, op, at)
    for (const o of this.all) if (res.nullified.includes(o.cid)) o.nullified = true
    this.all.push({
      did: this.did,
      operation: op,
      cid: plc.cidForOp(op),
      nullified: false,
      createdAt: new Date(at).toISOString(),
    })
    return res
  }
  /** The reference's verdict on `op` at time `at`, given the same active log. */
  async reference(op: plc.AnyOp, at: number): Promise<{ nullified: string[] } | Error> {
    const indexed: lib.IndexedOperation[] = []
    for (const o of this.active) {
      const { cid } = await lib.getLastOpWithCid([o.operation as lib.CompatibleOpOrTombstone])
      indexed.push({
        ...o,
        operation: o.operation as lib.CompatibleOpOrTombstone,
        cid,
        createdAt: new Date(o.createdAt),
      })
    }
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(at)
    try {
      const res = await lib.assureValidNextOp(this.did, indexed, op as lib.CompatibleOpOrTombstone)
      return { nullified: res.nullified.map((c) => c.toString()) }
    } catch (err) {
      return err as Error
    } finally {
      vi.useRealTimers()
    }
  }
}

function genesis(signer: KeyPair2, keys = [A.did, B.did]) {
  const { op, did } = plc.createOp({
    signingKey: C.did,
    handle: 'alice.test',
    pds: 'https://pds.test',
    rotationKeys: keys,
    signer: signer.ours,
  })
  const log = new Log(did)
  log.apply(op, T0)
  return { op, log }
}

/** Applies `op` at `at` in both implementations and checks they agree. */
async function both(log: Log, op: plc.AnyOp, at: number): Promise<plc.NextOpResult | Error> {
  const theirs = await log.reference(op, at)
  let ours: plc.NextOpResult | Error
  try {
    ours = log.apply(op, at)
  } catch (err) {
    ours = err as Error
  }
  expect(
    ours instanceof Error,
    `ours: ${ours instanceof Error ? ours.message : 'accepted'}; reference: ${theirs instanceof Error ? theirs.message : 'accepted'}`,
  ).toBe(theirs instanceof Error)
  if (!(ours instanceof Error) && !(theirs instanceof Error)) expect(ours.nullified).toEqual(theirs.nullified)
  return ours
}

describe('recovery window', () => {
  for (const [label, delta, ok] of [
    ['71h59m', 72 * HOUR - 60_000, true],
    ['exactly 72h', 72 * HOUR, true],
    ['72h + 1ms', 72 * HOUR + 1, false],
    ['10 days', 240 * HOUR, false],
  ] as const) {
    it(`a higher-priority key nullifying after ${label}: ${ok ? 'accepted' : 'rejected'}`, async () => {
      const { op: g, log } = genesis(B)
      const t1 = T0 + HOUR
      const u1 = plc.updateHandleOp(g, B.ours, 'mallory.test')
      await both(log, u1, t1)
      const recovery = plc.updateRotationKeysOp(g, A.ours, [A.did])
      const res = await both(log, recovery, t1 + delta)
      if (ok) {
        expect(res).toMatchObject({ nullified: [plc.cidForOp(u1)], prev: plc.cidForOp(g), signer: A.did })
        expect(log.all.map((o) => o.nullified)).toEqual([false, true, false])
        expect(plc.opToData(log.did, log.active.at(-1)?.operation as plc.AnyOp)?.rotationKeys).toEqual([A.did])
      } else {
        expect(res).toBeInstanceOf(plc.LateRecoveryError)
        expect(log.all.map((o) => o.nullified)).toEqual([false, false])
      }
    })
  }

  it('the window runs from the first nullified op, not the latest', async () => {
    const { op: g, log } = genesis(B)
    const u1 = plc.updateHandleOp(g, B.ours, 'm1.test')
    const u2 = plc.updateHandleOp(u1, B.ours, 'm2.test')
    await both(log, u1, T0 + HOUR)
    await both(log, u2, T0 + 60 * HOUR)
    const late = await both(log, plc.updateHandleOp(g, A.ours, 'alice.test'), T0 + HOUR + 73 * HOUR)
    expect(late).toBeInstanceOf(plc.LateRecoveryError)
    const ok = await both(log, plc.updateHandleOp(u1, A.ours, 'alice.test'), T0 + HOUR + 73 * HOUR)
    expect(ok).toMatchObject({ nullified: [plc.cidForOp(u2)] })
  })

  it('nullifies a whole chain after the fork point', async () => {
    const { op: g, log } = genesis(B)
    const u1 = plc.updateHandleOp(g, B.ours, 'm1.test')
    const u2 = plc.updatePdsOp(u1, B.ours, 'https://evil.test')
    await both(log, u1, T0 + 1000)
    await both(log, u2, T0 + 2000)
    const res = await both(log, plc.updateHandleOp(g, A.ours, 'alice2.test'), T0 + 3000)
    expect(res).toMatchObject({ nullified: [plc.cidForOp(u1), plc.cidForOp(u2)] })
    // building on a nullified op is now misordered
    const orphan = await both(log, plc.updateHandleOp(u2, B.ours, 'x.test'), T0 + 4000)
    expect(orphan).toBeInstanceOf(plc.MisorderedOperationError)
  })
})

describe('rotation-key priority', () => {
  it('a lower-priority key cannot nullify an op signed by a higher one', async () => {
    const { op: g, log } = genesis(A)
    await both(log, plc.updateHandleOp(g, A.ours, 'a1.test'), T0 + 1000)
    const res = await both(log, plc.updateHandleOp(g, B.ours, 'b1.test'), T0 + 2000)
    expect(res).toBeInstanceOf(plc.InvalidSignatureError)
  })

  it('the same key cannot nullify its own op', async () => {
    const { op: g, log } = genesis(B)
    await both(log, plc.updateHandleOp(g, B.ours, 'b1.test'), T0 + 1000)
    expect(await both(log, plc.updateHandleOp(g, B.ours, 'b2.test'), T0 + 2000)).toBeInstanceOf(
      plc.InvalidSignatureError,
    )
  })

  it('a key outside the fork point rotation keys cannot recover, even if added later', async () => {
    const { op: g, log } = genesis(B)
    const u1 = plc.updateRotationKeysOp(g, B.ours, [C.did, B.did])
    await both(log, u1, T0 + 1000)
    expect(await both(log, plc.updateHandleOp(g, C.ours, 'c.test'), T0 + 2000)).toBeInstanceOf(
      plc.InvalidSignatureError,
    )
    // but C may extend the head, where it now is a rotation key
    expect(await both(log, plc.updateHandleOp(u1, C.ours, 'c.test'), T0 + 3000)).toMatchObject({ nullified: [] })
  })

  it('forks from a non-genesis op use that op’s rotation keys', async () => {
    const { op: g, log } = genesis(A)
    const u1 = plc.updateHandleOp(g, A.ours, 'a1.test')
    const u2 = plc.updateHandleOp(u1, B.ours, 'b2.test')
    await both(log, u1, T0 + 1000)
    await both(log, u2, T0 + 2000)
    expect(await both(log, plc.updateHandleOp(u1, A.ours, 'a3.test'), T0 + 3000)).toMatchObject({
      nullified: [plc.cidForOp(u2)],
    })
  })
})

describe('tombstones', () => {
  it('a tombstoned DID accepts no further ops on top of the tombstone', async () => {
    const { op: g, log } = genesis(B)
    const t = plc.tombstoneOp(plc.cidForOp(g), B.ours)
    await both(log, t, T0 + 1000)
    const after = { ...plc.updateHandleOp(g, B.ours, 'x.test'), prev: plc.cidForOp(t) }
    expect(await both(log, plc.signOperation(after, B.ours), T0 + 2000)).toBeInstanceOf(plc.MisorderedOperationError)
    expect(await both(log, plc.tombstoneOp(plc.cidForOp(t), A.ours), T0 + 2000)).toBeInstanceOf(
      plc.MisorderedOperationError,
    )
  })

  it('a tombstone can itself be nullified by a higher-priority key within the window', async () => {
    const { op: g, log } = genesis(B)
    const t = plc.tombstoneOp(plc.cidForOp(g), B.ours)
    await both(log, t, T0 + 1000)
    const res = await both(log, plc.updateHandleOp(g, A.ours, 'back.test'), T0 + 2000)
    expect(res).toMatchObject({ nullified: [plc.cidForOp(t)] })
  })
})
