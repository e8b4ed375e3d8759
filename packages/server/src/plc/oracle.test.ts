/**
 * The directory against the reference implementation (@did-plc/lib), on SQLite and PostgreSQL:
 * operations the reference builds and signs are accepted over HTTP and give the same DID, state and
 * document; the reference's own HTTP client works against our server; and the logs we serve pass
 * the reference's whole-log validation and our audit-log replay.
 */
import * as officialCrypto from '@atproto/crypto'
import * as officialId from '@atproto/identity'
import * as lib from '@did-plc/lib'
import * as plc from '@stratus/core/plc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KeyPair2, pick, prng, randHandle, randInt, twinKey } from '../../../core/src/plc/test-util.ts'
import { pgTestUrl } from '../db/test-util.ts'
import { type Backend, type TestDirectory, openBackend, startTestDirectory } from './test-setup.ts'

type LibOp = lib.CompatibleOpOrTombstone
type LibKeypair = officialCrypto.Keypair

const pgUrl = await pgTestUrl()

function view(doc: unknown) {
  return officialId.parseToAtprotoDocument(doc as Parameters<typeof officialId.parseToAtprotoDocument>[0])
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe.skipIf(backend === 'postgres' && !pgUrl)(`PLC directory vs @did-plc/lib (${backend})`, () => {
    let t: TestDirectory
    let pool: KeyPair2[]
    const rand = prng(backend === 'sqlite' ? 0x0a11 : 0x0a12)

    beforeAll(async () => {
      const db = await openBackend(backend, 'plcoracle')
      if (!db) throw new Error('database unavailable')
      t = await startTestDirectory(db, { realClock: true, rateLimits: false })
      pool = []
      for (let i = 0; i < 8; i++) pool.push(await twinKey(rand, officialCrypto))
    })
    afterAll(async () => {
      await t?.close()
    })

    it('accepts ops the reference signs, with the same DID, state, document and log', async () => {
      const client = new plc.PlcClient(t.url)
      for (let n = 0; n < 8; n++) {
        let keys = [pick(rand, pool), pick(rand, pool)].filter((k, i, a) => a.indexOf(k) === i)
        const { op, did } = await lib.createOp({
          signingKey: pick(rand, pool).did,
          handle: randHandle(rand),
          pds: `https://pds${n}.test`,
          rotationKeys: keys.map((k) => k.did),
          signer: pick(rand, keys).theirs as unknown as LibKeypair,
        })
        await client.sendOperation(did, op)
        const log: LibOp[] = [op]
        for (let u = randInt(rand, 1, 4); u > 0; u--) {
          const last = log[log.length - 1] as lib.Operation
          const s = pick(rand, keys).theirs as unknown as LibKeypair
          let next: lib.Operation
          const kind = randInt(rand, 0, 3)
          if (kind === 0) next = await lib.updateHandleOp(last, s, randHandle(rand))
          else if (kind === 1) next = await lib.updatePdsOp(last, s, `https://moved${u}.test`)
          else if (kind === 2) next = await lib.updateAtprotoKeyOp(last, s, pick(rand, pool).did)
          else {
            keys = [pick(rand, pool)]
            next = await lib.updateRotationKeysOp(
              last,
              s,
              keys.map((k) => k.did),
            )
          }
          await client.sendOperation(did, next)
          log.push(next)
        }
        const expected = await lib.validateOperationLog(did, log)
        expect(await client.getDocumentData(did)).toEqual(expected)
        expect(view(await client.getDocument(did))).toEqual(view(lib.formatDidDoc(expected as lib.DocumentData)))
        expect(await client.getLog(did)).toEqual(log)
        expect(await client.getLastOp(did)).toEqual(log[log.length - 1])
        const audit = await client.getAuditLog(did)
        const cids = await Promise.all(log.map(async (o) => (await lib.getLastOpWithCid([o])).cid.toString()))
        expect(audit.map((e) => e.cid)).toEqual(cids)
        expect(audit.every((e) => e.did === did && e.nullified === false)).toBe(true)
        expect(plc.verifyAuditLog(did, audit)).toEqual(expected)
      }
    })

    it("works with the reference's own HTTP client", async () => {
      const client = new lib.Client(t.url)
      const [k1, k2, signing] = [pool[0], pool[1], pool[2]]
      const did = await client.createDid({
        signingKey: signing.did,
        handle: 'ref-client.test',
        pds: 'https://pds.test',
        rotationKeys: [k1.did, k2.did],
        signer: k1.theirs as unknown as LibKeypair,
      })
      await client.updateHandle(did, k2.theirs as unknown as LibKeypair, 'renamed.test')
      await client.updatePds(did, k1.theirs as unknown as LibKeypair, 'https://other.test')
      const data = await client.getDocumentData(did)
      expect(data.alsoKnownAs).toEqual(['at://renamed.test'])
      expect(data.services.atproto_pds.endpoint).toBe('https://other.test')
      expect(await lib.validateOperationLog(did, await client.getOperationLog(did))).toEqual(data)
      expect((await client.getAuditableLog(did)).length).toBe(3)
      await client.tombstone(did, k1.theirs as unknown as LibKeypair)
      await expect(client.getDocumentData(did)).rejects.toMatchObject({ status: 404 })
      expect(await lib.validateOperationLog(did, await client.getOperationLog(did))).toBeNull()
      const health = await client.health()
      expect(typeof health.version).toBe('string')
    })

    it('serves ops we sign that the reference accepts', async () => {
      const client = new plc.PlcClient(t.url)
      const [k1, k2] = [pool[3], pool[4]]
      const did = await client.createDid({
        signingKey: k2.did,
        handle: 'ours.test',
        pds: 'https://p.test',
        rotationKeys: [k1.did, k2.did],
        signer: k2.ours,
      })
      await client.updateHandle(did, k2.ours, 'ours2.test')
      await client.updateRotationKeys(did, k1.ours, [k2.did])
      await client.updateAtprotoKey(did, k2.ours, k1.did)
      const log = (await client.getLog(did)) as LibOp[]
      expect(await lib.validateOperationLog(did, log)).toEqual(await client.getDocumentData(did))
    })
  })
}
