/**
 * The directory's HTTP behaviour on loopback, on SQLite and PostgreSQL: rejected ops get a 400 with
 * the reason and change nothing; the recovery window with an injected clock; ops on one DID are
 * serialized under concurrency; export paging; legacy create on read; health, CORS and errors.
 */
import * as plc from '@stratus/core/plc'
import type { Keypair } from '@stratus/core/crypto'
import { P256Keypair, Secp256k1Keypair } from '@stratus/core/crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { prng, randBytes } from '../../../core/src/plc/test-util.ts'
import { pgTestUrl } from '../db/test-util.ts'
import { type Backend, type TestDirectory, openBackend, startTestDirectory } from './test-setup.ts'

const HOUR = 3600_000
const pgUrl = await pgTestUrl()

const rand = prng(0xd1c7)
const newKey = (curve: 'k256' | 'p256'): Keypair => {
  const b = randBytes(rand, 32)
  b[0] &= 0x7f
  return curve === 'k256' ? Secp256k1Keypair.import(b) : P256Keypair.import(b)
}
const A = newKey('p256') // recovery key: index 0
const B = newKey('k256') // everyday key: index 1
const S = newKey('k256') // atproto signing key, never a rotation key

async function post(
  url: string,
  did: string,
  body: unknown,
  raw = false,
): Promise<{ status: number; message?: string }> {
  const res = await fetch(`${url}/${did}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, message: res.status === 200 ? undefined : JSON.parse(text).message }
}

async function getJson(url: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`)
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

for (const backend of ['sqlite', 'postgres'] as Backend[]) {
  describe.skipIf(backend === 'postgres' && !pgUrl)(`PLC directory over HTTP (${backend})`, () => {
    let t: TestDirectory
    let client: plc.PlcClient

    beforeAll(async () => {
      const db = await openBackend(backend, 'plcdirectory')
      if (!db) throw new Error('database unavailable')
      t = await startTestDirectory(db)
      client = new plc.PlcClient(t.url)
    })
    afterAll(async () => {
      await t?.close()
    })
    beforeEach(() => {
      t.clock.now += 7 * 24 * HOUR // a fresh week: rate limits and recovery windows never leak between tests
    })

    let counter = 0
    async function newDid(handle = `alice${counter++}.test`) {
      const { op, did } = plc.createOp({
        signingKey: S.did(),
        handle,
        pds: 'https://pds.test',
        rotationKeys: [A.did(), B.did()],
        signer: B,
      })
      expect(await post(t.url, did, op)).toEqual({ status: 200 })
      return { did, genesis: op }
    }

    /** Everything a rejected op could have changed. */
    async function snapshot(did: string) {
      return { audit: await client.getAuditLog(did).catch(() => null), exported: await client.export({ count: 1000 }) }
    }

    describe('rejected operations get a 400 with the reason and change nothing', () => {
      const cases: [string, (g: plc.Operation, did: string) => unknown, RegExp][] = [
        [
          'forged: signed by a key that is not a rotation key',
          (g) => plc.updateHandleOp(g, S, 'evil.test'),
          /Invalid signature/,
        ],
        [
          'tampered after signing',
          (g) => ({ ...plc.updateHandleOp(g, B, 'x.test'), alsoKnownAs: ['at://evil.test'] }),
          /Invalid signature/,
        ],
        ['replayed genesis', (g) => g, /already exists|not correctly ordered/],
        [
          'out of order: prev is not in the log',
          (g) => plc.updateHandleOp(plc.updateHandleOp(g, B, 'a.test'), B, 'b.test'),
          /not an active operation/,
        ],
        [
          'wrong prev: forks without a higher-priority key',
          (g) => plc.updateHandleOp(g, B, 'fork.test'),
          /higher priority/,
        ],
        [
          'oversized',
          (g) =>
            plc.createUpdateOp(g, B, (s) => ({
              ...s,
              services: Object.fromEntries(
                Array.from({ length: 10 }, (_, i) => [
                  `s${i}`,
                  { type: 't'.repeat(250), endpoint: `https://${'e'.repeat(500)}` },
                ]),
              ),
            })),
          /too large/,
        ],
        [
          'too many rotation keys',
          (g) =>
            plc.updateRotationKeysOp(
              g,
              B,
              Array.from({ length: 6 }, () => newKey('k256').did()),
            ),
          /too many rotation keys/,
        ],
        ['an unknown field', (g) => ({ ...plc.updateHandleOp(g, B, 'x.test'), extra: true }), /unexpected field extra/],
        [
          'a legacy create op',
          () => ({
            type: 'create',
            signingKey: S.did(),
            recoveryKey: A.did(),
            handle: 'x.test',
            service: 'https://p.test',
            prev: null,
            sig: 'x',
          }),
          /no longer accepted/,
        ],
        ['not an object', () => [1, 2, 3], /JSON object/],
      ]
      for (const [name, make, re] of cases) {
        it(name, async () => {
          const { did, genesis } = await newDid()
          expect(await post(t.url, did, plc.updateHandleOp(genesis, B, 'second.test'))).toEqual({ status: 200 })
          const before = await snapshot(did)
          const res = await post(t.url, did, make(genesis, did))
          expect(res.status).toBe(400)
          expect(res.message).toMatch(re)
          expect(await snapshot(did)).toEqual(before)
        })
      }

      it('malformed JSON, huge bodies, a genesis for another DID and a bad DID', async () => {
        const { did, genesis } = await newDid()
        const before = await snapshot(did)
        expect(await post(t.url, did, '{"type":', true)).toMatchObject({ status: 400, message: /not valid JSON/ })
        expect(await post(t.url, did, `"${'x'.repeat(200_000)}"`, true)).toMatchObject({
          status: 400,
          message: /too large/,
        })
        const other = plc.createOp({
          signingKey: S.did(),
          handle: 'other.test',
          pds: 'https://pds.test',
          rotationKeys: [B.did()],
          signer: B,
        })
        const wrong = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
        expect(await post(t.url, wrong, other.op)).toMatchObject({ status: 400, message: /does not match DID/ })
        expect(await post(t.url, 'did:plc:short', genesis)).toMatchObject({
          status: 400,
          message: /Improperly formatted DID/,
        })
        expect(await snapshot(did)).toEqual(before)
        expect((await getJson(t.url, `/${wrong}`)).status).toBe(404)
      })

      it('nothing is accepted on top of a tombstone', async () => {
        const { did, genesis } = await newDid()
        const tomb = plc.tombstoneOp(plc.cidForOp(genesis), B)
        expect(await post(t.url, did, tomb)).toEqual({ status: 200 })
        const before = await snapshot(did)
        const after = plc.signOperation({ ...plc.updateHandleOp(genesis, B, 'x.test'), prev: plc.cidForOp(tomb) }, B)
        expect(await post(t.url, did, after)).toMatchObject({ status: 400, message: /tombstone/ })
        expect(await snapshot(did)).toEqual(before)
        expect(await getJson(t.url, `/${did}`)).toMatchObject({
          status: 404,
          body: { message: `DID not available: ${did}` },
        })
        expect(await getJson(t.url, `/${did}/data`)).toMatchObject({ status: 404 })
        expect((await client.getLastOp(did)).type).toBe('plc_tombstone')
      })
    })

    describe('recovery window (injected clock)', () => {
      for (const [label, delta, ok] of [
        ['71 hours', 71 * HOUR, true],
        ['exactly 72 hours', 72 * HOUR, true],
        ['72 hours and 1 ms', 72 * HOUR + 1, false],
      ] as const) {
        it(`a higher-priority key rewrites history after ${label}: ${ok ? 'accepted' : 'rejected'}`, async () => {
          const { did, genesis } = await newDid()
          t.clock.now += HOUR
          const hijack = plc.updateRotationKeysOp(genesis, B, [B.did()])
          expect(await post(t.url, did, hijack)).toEqual({ status: 200 })
          const hijackedAt = t.clock.now
          t.clock.now = hijackedAt + delta
          const before = await snapshot(did)
          const recovery = plc.updateHandleOp(genesis, A, 'recovered.test')
          const res = await post(t.url, did, recovery)
          if (ok) {
            expect(res).toEqual({ status: 200 })
            const audit = await client.getAuditLog(did)
            expect(audit.map((e) => [e.cid, e.nullified])).toEqual([
              [plc.cidForOp(genesis), false],
              [plc.cidForOp(hijack), true],
              [plc.cidForOp(recovery), false],
            ])
            expect(audit[2].createdAt).toBe(new Date(hijackedAt + delta).toISOString())
            expect(plc.verifyAuditLog(did, audit)?.alsoKnownAs).toEqual(['at://recovered.test'])
            expect(await client.getLog(did)).toEqual([genesis, recovery])
            expect((await client.getDocumentData(did)).rotationKeys).toEqual([A.did(), B.did()])
          } else {
            expect(res).toMatchObject({ status: 400, message: /72 hour recovery window/ })
            expect(await snapshot(did)).toEqual(before)
          }
        })
      }
    })

    it('serializes concurrent operations on one DID: exactly one of N competing updates wins', async () => {
      const { did, genesis } = await newDid()
      const ops = Array.from({ length: 8 }, (_, i) => plc.updateHandleOp(genesis, B, `racer${i}.test`))
      const results = await Promise.all(ops.map((op) => post(t.url, did, op)))
      expect(results.filter((r) => r.status === 200)).toHaveLength(1)
      expect(results.filter((r) => r.status === 400)).toHaveLength(7)
      const audit = await client.getAuditLog(did)
      expect(audit).toHaveLength(2)
      expect(plc.verifyAuditLog(did, audit)).not.toBeNull()
    })

    it('accepts many DIDs created concurrently', async () => {
      const made = Array.from({ length: 20 }, (_, i) =>
        plc.createOp({
          signingKey: S.did(),
          handle: `bulk${i}.test`,
          pds: 'https://pds.test',
          rotationKeys: [B.did()],
          signer: B,
        }),
      )
      const results = await Promise.all(made.map(({ did, op }) => post(t.url, did, op)))
      expect(results.every((r) => r.status === 200)).toBe(true)
      for (const { did } of made) expect((await client.getLog(did)).length).toBe(1)
    })

    it('applies the per-DID rate limit (10 ops per hour)', async () => {
      const { did, genesis } = await newDid()
      let last: plc.Operation = genesis
      for (let i = 0; i < 9; i++) {
        last = plc.updateHandleOp(last, B, `r${i}.test`)
        expect(await post(t.url, did, last)).toEqual({ status: 200 })
      }
      expect(await post(t.url, did, plc.updateHandleOp(last, B, 'one-too-many.test'))).toMatchObject({
        status: 400,
        message: /Too many operations within last hour/,
      })
      t.clock.now += HOUR + 1
      expect(await post(t.url, did, plc.updateHandleOp(last, B, 'later.test'))).toEqual({ status: 200 })
    })

    it('exports every op once, in order, with the after cursor and count', async () => {
      await newDid('exp1.test')
      await newDid('exp2.test')
      const all: plc.ExportedOp[] = []
      for await (const e of client.exportAll({ pageSize: 3 })) all.push(e)
      expect(all.length).toBeGreaterThan(5)
      const createdAts = all.map((e) => e.createdAt)
      expect([...createdAts].sort()).toEqual(createdAts)
      expect(new Set(createdAts).size).toBe(createdAts.length)
      expect(new Set(all.map((e) => `${e.did} ${e.cid}`)).size).toBe(all.length)
      const page = await client.export({ after: all[1].createdAt, count: 2 })
      expect(page).toEqual(all.slice(2, 4))
      for (const e of all.slice(0, 10)) expect(plc.cidForOp(e.operation)).toBe(e.cid)
      const res = await fetch(`${t.url}/export?count=1`)
      expect(res.headers.get('content-type')).toBe('application/jsonlines')
      expect(await res.text()).toBe(JSON.stringify(all[0]))
      expect((await getJson(t.url, '/export?count=0')).status).toBe(400)
      expect((await getJson(t.url, '/export?count=abc')).status).toBe(400)
      expect((await getJson(t.url, '/export?after=yesterday')).status).toBe(400)
      expect(await client.export({ after: all[all.length - 1].createdAt })).toEqual([])
    })

    it('serves legacy create genesis ops (imported) and their updates', async () => {
      const legacy = plc.signLegacyCreate(
        {
          type: 'create',
          signingKey: S.did(),
          recoveryKey: A.did(),
          handle: 'old.test',
          service: 'pds.old.test',
          prev: null,
        },
        S,
      )
      const did = plc.didForGenesisOp(legacy)
      await t.directory.submit(did, legacy, { allowLegacyCreate: true })
      expect(await client.getDocumentData(did)).toEqual({
        did,
        verificationMethods: { atproto: S.did() },
        rotationKeys: [A.did(), S.did()],
        alsoKnownAs: ['at://old.test'],
        services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: 'https://pds.old.test' } },
      })
      expect(await post(t.url, did, plc.updateHandleOp(legacy, A, 'new.test'))).toEqual({ status: 200 })
      expect(await client.getLog(did)).toHaveLength(2)
      expect(plc.verifyAuditLog(did, await client.getAuditLog(did))?.alsoKnownAs).toEqual(['at://new.test'])
    })

    it('answers health, 404s, 405s and CORS preflight', async () => {
      expect(await getJson(t.url, '/_health')).toMatchObject({ status: 200, body: { version: expect.any(String) } })
      expect(await getJson(t.url, '/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/log')).toMatchObject({
        status: 404,
        body: { message: /not registered/ },
      })
      expect((await getJson(t.url, '/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/whatever')).status).toBe(404)
      expect((await fetch(`${t.url}/export`, { method: 'POST' })).status).toBe(405)
      const pre = await fetch(`${t.url}/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa`, { method: 'OPTIONS' })
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('*')
      const { did } = await newDid()
      const doc = await fetch(`${t.url}/${did}`)
      expect(doc.headers.get('content-type')).toBe('application/did+ld+json')
      expect(((await doc.json()) as plc.PlcDidDocument).verificationMethod[0].id).toBe(`${did}#atproto`)
      expect((await fetch(`${t.url}/${encodeURIComponent(did)}/data`)).status).toBe(200)
    })
  })
}

describe('PLC directory on a SQLite file', () => {
  it('keeps its log and a monotonic clock across restarts', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'stratus-plc-'))
    try {
      const path = join(dir, 'plc.sqlite')
      const first = await startTestDirectory((await openBackend('sqlite', 'x', path))!)
      const { op, did } = plc.createOp({
        signingKey: S.did(),
        handle: 'persist.test',
        pds: 'https://pds.test',
        rotationKeys: [B.did()],
        signer: B,
      })
      expect(await post(first.url, did, op)).toEqual({ status: 200 })
      const firstAt = (await new plc.PlcClient(first.url).getAuditLog(did))[0].createdAt
      await first.close()
      const second = await startTestDirectory((await openBackend('sqlite', 'x', path))!)
      second.clock.now = Date.parse(firstAt) - HOUR // wall clock went backwards
      const c = new plc.PlcClient(second.url)
      expect(await c.getLog(did)).toEqual([op])
      expect(await post(second.url, did, plc.updateHandleOp(op, B, 'p2.test'))).toEqual({ status: 200 })
      const audit = await c.getAuditLog(did)
      expect(audit[1].createdAt > audit[0].createdAt).toBe(true)
      await second.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
