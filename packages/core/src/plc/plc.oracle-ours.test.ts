/**
 * Randomized oracle tests against @did-plc/lib (the reference implementation): operations it builds
 * and signs are accepted by our rules (see plc.oracle.test.ts); here ours are accepted by its checks. Seeded so failures reproduce; the seed is in each test name.
 */
import * as officialCrypto from '@atproto/crypto'
import * as lib from '@did-plc/lib'
import { describe, expect, it } from 'vitest'
import * as plc from './index.ts'
import { type KeyPair2, pick, prng, randHandle, randInt, twinKey } from './test-util.ts'

type LibOp = lib.CompatibleOpOrTombstone

/** A pool of twin keys; each DID draws its rotation and signing keys from it. */
async function keyPool(rand: () => number, n: number): Promise<KeyPair2[]> {
  const keys: KeyPair2[] = []
  for (let i = 0; i < n; i++) keys.push(await twinKey(rand, officialCrypto))
  return keys
}

function sample<T>(rand: () => number, xs: readonly T[], k: number): T[] {
  const copy = [...xs]
  const out: T[] = []
  while (out.length < k && copy.length) out.push(copy.splice(Math.floor(rand() * copy.length), 1)[0])
  return out
}

describe('ops built by us', () => {
  const SEED = 0x5eed02
  it(`pass @did-plc/lib's assureValidNextOp and validateOperationLog (seed ${SEED})`, async () => {
    const rand = prng(SEED)
    const pool = await keyPool(rand, 10)
    for (let n = 0; n < 24; n++) {
      let keys = sample(rand, pool, randInt(rand, 1, 5))
      const { op: genesis, did } = plc.createOp({
        signingKey: pick(rand, pool).did,
        handle: randHandle(rand),
        pds: `pds${randInt(rand, 0, 99)}.test`,
        rotationKeys: keys.map((k) => k.did),
        signer: pick(rand, keys).ours,
      })
      expect(await lib.didForCreateOp(genesis)).toBe(did)
      const log: plc.AnyOp[] = []
      const theirIndexed: lib.IndexedOperation[] = []
      const push = async (op: plc.AnyOp) => {
        const { cid } = await lib.getLastOpWithCid([op as LibOp])
        const res = await lib.assureValidNextOp(did, theirIndexed, op as LibOp)
        expect(res.nullified).toEqual([])
        theirIndexed.push({ did, operation: op as LibOp, cid, nullified: false, createdAt: new Date() })
        log.push(op)
      }
      await push(genesis)
      for (let u = randInt(rand, 0, 5); u > 0; u--) {
        const last = log[log.length - 1] as plc.Operation
        const s = pick(rand, keys).ours
        const kind = randInt(rand, 0, 4)
        if (kind === 0) await push(plc.updateHandleOp(last, s, randHandle(rand)))
        else if (kind === 1) await push(plc.updatePdsOp(last, s, `https://p${randInt(rand, 0, 999)}.test`))
        else if (kind === 2) await push(plc.updateAtprotoKeyOp(last, s, pick(rand, pool).did))
        else if (kind === 3) {
          keys = sample(rand, pool, randInt(rand, 1, 5))
          await push(
            plc.updateRotationKeysOp(
              last,
              s,
              keys.map((k) => k.did),
            ),
          )
        } else {
          await push(plc.tombstoneOp(plc.cidForOp(last), s))
          break
        }
      }
      // The reference's whole-log check is slow (~50 ms per signature); run it on every 4th DID.
      if (n % 4 === 0)
        expect(await lib.validateOperationLog(did, log as LibOp[])).toEqual(plc.validateOperationLog(did, log))
      else expect(plc.validateOperationLog(did, log)).not.toBeUndefined()
    }
  })

  it('legacy create ops: same DID, state and follow-up acceptance as the reference', async () => {
    const rand = prng(0x5eed03)
    for (let n = 0; n < 20; n++) {
      const [recovery, signing] = [await twinKey(rand, officialCrypto), await twinKey(rand, officialCrypto)]
      const unsigned: plc.UnsignedLegacyCreate = {
        type: 'create',
        signingKey: signing.did,
        recoveryKey: recovery.did,
        handle: randHandle(rand),
        service: `https://pds${n}.test`,
        prev: null,
      }
      const signer = n % 2 ? recovery : signing
      const ours = plc.signLegacyCreate(unsigned, signer.ours)
      const theirs = await lib.deprecatedSignCreate(unsigned, signer.theirs as unknown as officialCrypto.Keypair)
      const did = plc.didForGenesisOp(ours)
      expect(await lib.didForCreateOp(ours)).toBe(did)
      const theirDid = await lib.didForCreateOp(theirs)
      expect(plc.didForGenesisOp(theirs)).toBe(theirDid)
      expect(plc.validateOperationLog(theirDid, [theirs])).toEqual(await lib.validateOperationLog(theirDid, [theirs]))
      const update = plc.updateHandleOp(ours, recovery.ours, randHandle(rand))
      const log = [ours, update]
      expect(plc.validateOperationLog(did, log)).toEqual(await lib.validateOperationLog(did, log as LibOp[]))
      expect(plc.normalizeOp(ours).rotationKeys).toEqual([recovery.did, signing.did])
    }
  })
})
