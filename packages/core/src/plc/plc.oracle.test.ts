/**
 * Randomized oracle tests against @did-plc/lib (the reference implementation): operations it builds
 * and signs are accepted by our rules with the same DID, CIDs and state, and ours are accepted by
 * its checks. Seeded so failures reproduce; the seed is in each test name.
 */
import * as officialCrypto from '@atproto/crypto'
import * as officialId from '@atproto/identity'
import * as lib from '@did-plc/lib'
import { describe, expect, it } from 'vitest'
import * as plc from './index.ts'
import { type KeyPair2, pick, prng, randHandle, randInt, twinKey } from './test-util.ts'

type LibOp = lib.CompatibleOpOrTombstone

async function libCid(op: LibOp): Promise<string> {
  return (await lib.getLastOpWithCid([op])).cid.toString()
}

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

function indexed(did: string, ops: plc.AnyOp[], t0: number): plc.IndexedOperation[] {
  return ops.map((operation, i) => ({
    did,
    operation,
    cid: plc.cidForOp(operation),
    nullified: false,
    createdAt: new Date(t0 + i * 1000).toISOString(),
  }))
}

/** Resolves both documents through @atproto/identity's parser: same DID, key, handle and PDS. */
function atprotoView(doc: unknown) {
  return officialId.parseToAtprotoDocument(doc as Parameters<typeof officialId.parseToAtprotoDocument>[0])
}

describe('ops built by @did-plc/lib', () => {
  const SEED = 0x5eed01
  it(`are accepted with the same DID, CIDs, state and document (seed ${SEED})`, async () => {
    const rand = prng(SEED)
    const pool = await keyPool(rand, 10)
    for (let n = 0; n < 25; n++) {
      const rotation = sample(rand, pool, randInt(rand, 1, 5))
      const signing = pick(rand, pool)
      const signer = pick(rand, rotation)
      const { op: genesis, did } = await lib.createOp({
        signingKey: signing.did,
        handle: randHandle(rand),
        pds: `https://pds${randInt(rand, 0, 99)}.test`,
        rotationKeys: rotation.map((k) => k.did),
        signer: signer.theirs as unknown as officialCrypto.Keypair,
      })
      expect(plc.didForGenesisOp(plc.parseOperation(genesis) as plc.Operation)).toBe(did)
      const log: LibOp[] = [genesis]
      let keys = rotation
      const updates = randInt(rand, 0, 5)
      for (let u = 0; u < updates; u++) {
        const last = log[log.length - 1] as lib.Operation
        const s = pick(rand, keys).theirs as unknown as officialCrypto.Keypair
        const kind = randInt(rand, 0, 4)
        let next: LibOp
        if (kind === 0) next = await lib.updateHandleOp(last, s, randHandle(rand))
        else if (kind === 1) next = await lib.updatePdsOp(last, s, `https://p${randInt(rand, 0, 999)}.test`)
        else if (kind === 2) next = await lib.updateAtprotoKeyOp(last, s, pick(rand, pool).did)
        else if (kind === 3) {
          keys = sample(rand, pool, randInt(rand, 1, 5))
          next = await lib.updateRotationKeysOp(
            last,
            s,
            keys.map((k) => k.did),
          )
        } else {
          next = await lib.tombstoneOp((await lib.getLastOpWithCid([last])).cid, s)
        }
        const ours = plc.parseIncomingOperation(next)
        plc.assertOpWithinLimits(ours)
        const active = indexed(did, log as plc.AnyOp[], Date.now() - 1e6)
        const res = plc.assureValidNextOp(did, active, ours)
        expect(res.nullified).toEqual([])
        expect(res.prev).toBe(await libCid(log[log.length - 1]))
        expect(plc.cidForOp(ours)).toBe(await libCid(next))
        log.push(next)
        if (kind === 4) break
      }
      const theirData = await lib.validateOperationLog(did, log)
      const ourData = plc.validateOperationLog(did, log)
      expect(ourData).toEqual(theirData)
      if (ourData && theirData) {
        expect(atprotoView(plc.formatDidDoc(ourData))).toEqual(atprotoView(lib.formatDidDoc(theirData)))
      }
    }
  })
})

describe('forged and misplaced ops', () => {
  const SEED = 0x5eed04
  it(`are rejected by us and by the reference (seed ${SEED})`, async () => {
    const rand = prng(SEED)
    const pool = await keyPool(rand, 8)
    const t0 = Date.now() - 1e6
    for (let n = 0; n < 30; n++) {
      const [k1, k2, outsider] = sample(rand, pool, 3)
      const { op: genesis, did } = plc.createOp({
        signingKey: k1.did,
        handle: 'a.test',
        pds: 'https://p.test',
        rotationKeys: [k1.did, k2.did],
        signer: k1.ours,
      })
      const u1 = plc.updateHandleOp(genesis, k2.ours, randHandle(rand))
      const ours = indexed(did, [genesis, u1], t0)
      const theirs: lib.IndexedOperation[] = []
      for (const o of ours) {
        theirs.push({
          did,
          operation: o.operation as LibOp,
          cid: (await lib.getLastOpWithCid([o.operation as LibOp])).cid,
          nullified: false,
          createdAt: new Date(o.createdAt),
        })
      }
      const kind = n % 5
      let bad: plc.AnyOp
      if (kind === 0)
        bad = plc.updateHandleOp(u1, outsider.ours, 'evil.test') // not a rotation key
      else if (kind === 1) bad = { ...plc.updateHandleOp(u1, k1.ours, 'x.test'), alsoKnownAs: ['at://tampered.test'] }
      else if (kind === 2)
        bad = plc.updateHandleOp(plc.updateHandleOp(u1, k1.ours, 'y.test'), k1.ours, 'z.test') // prev unknown
      else if (kind === 3)
        bad = u1 // replay of an accepted op
      else bad = { ...genesis } // replayed genesis on an existing DID
      expect(() => plc.assureValidNextOp(did, ours, bad, Date.now())).toThrow(plc.PlcError)
      await expect(lib.assureValidNextOp(did, theirs, bad as LibOp)).rejects.toThrow()
    }
  })

  it('a genesis op submitted under another DID is rejected by both', async () => {
    const rand = prng(0x5eed05)
    const k = await twinKey(rand, officialCrypto)
    const { op } = plc.createOp({
      signingKey: k.did,
      handle: 'a.test',
      pds: 'https://p.test',
      rotationKeys: [k.did],
      signer: k.ours,
    })
    const other = plc.createOp({
      signingKey: k.did,
      handle: 'b.test',
      pds: 'https://p.test',
      rotationKeys: [k.did],
      signer: k.ours,
    }).did
    expect(() => plc.assureValidNextOp(other, [], op)).toThrow(plc.GenesisHashError)
    await expect(lib.assureValidNextOp(other, [], op)).rejects.toThrow(lib.GenesisHashError)
  })
})
