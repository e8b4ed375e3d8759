import { Secp256k1Keypair } from '@stratus/core/crypto'
import { CID, decodeCbor, encodeCbor } from '@stratus/core/data'
import { exportRepoCarBytes } from '@stratus/core/repo'
import { decodeFrame, encodeFrame } from '@stratus/core/xrpc'
import { afterAll, describe, expect, it } from 'vitest'
import { TestAccount, accountFrame, commitFrame, identityFrame, syncFrame } from '../test-util.ts'
import { frameParts, withSeq } from './frame-parts.ts'
import { PeekError, peekFrame } from './peek.ts'
import { VerifyPool } from './verify-pool.ts'
import { type VerifyJob, type VerifyResult, runVerifyJob } from './verify-job.ts'

const alice = new TestAccount('did:plc:aliceaaaaaaaaaaaaaaaaaaa')
const c1 = alice.post(2)
const c2 = alice.post(1)

function job(frame: Uint8Array, kind: '#commit' | '#sync' = '#commit', signingKey = alice.signingKey): VerifyJob {
  return { kind, did: alice.did, signingKey, frame }
}

describe('peekFrame', () => {
  it('reads op, t, seq, account and rev of every event type', () => {
    expect(peekFrame(commitFrame(c1, { seq: 7 }))).toEqual({ op: 1, t: '#commit', seq: 7, did: alice.did, rev: c1.rev })
    expect(peekFrame(syncFrame(alice, 2 ** 40))).toMatchObject({ t: '#sync', seq: 2 ** 40, did: alice.did })
    expect(peekFrame(identityFrame(alice.did, 3, 'alice.test'))).toMatchObject({ t: '#identity', did: alice.did })
    expect(peekFrame(accountFrame(alice.did, 4, false, 'deactivated'))).toMatchObject({ t: '#account', seq: 4 })
    expect(peekFrame(encodeFrame({ op: -1 }, { error: 'FutureCursor' }))).toEqual({ op: -1 })
  })

  it('throws PeekError on garbage, truncation and trailing bytes', () => {
    const f = commitFrame(c1, { seq: 1 })
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(0xff, 0, 1),
      f.subarray(0, f.length - 1),
      Buffer.concat([f, Buffer.from([0])]),
    ]) {
      expect(() => peekFrame(bad)).toThrow(PeekError)
    }
    // A length that claims 2^53 bytes must not allocate or loop.
    expect(() =>
      peekFrame(Uint8Array.of(0xa1, 0x62, 0x6f, 0x70, 0x01, 0xa1, 0x5b, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
    ).toThrow(PeekError)
  })
})

describe('frameParts', () => {
  it('gives the same bytes as encoding the body with its seq', () => {
    const body = decodeFrame(commitFrame(c1, { seq: 1 })).body as Record<string, unknown>
    const { seq: _, ...rest } = body
    const parts = frameParts('#commit', rest)
    for (const seq of [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      const ours = withSeq(parts, seq)
      expect(Buffer.from(ours).equals(Buffer.from(encodeFrame({ op: 1, t: '#commit' }, { ...rest, seq })))).toBe(true)
    }
    const id = frameParts('#identity', { did: alice.did, time: 'x', handle: undefined })
    expect(decodeFrame(withSeq(id, 9)).body).toEqual({ did: alice.did, seq: 9, time: 'x' })
  })
})

describe('runVerifyJob', () => {
  it('accepts genuine commits and syncs and re-encodes them unchanged apart from seq', () => {
    const frame = commitFrame(c2, { seq: 5 })
    const r = runVerifyJob(job(frame))
    expect(r).toMatchObject({ ok: true, rev: c2.rev, commit: c2.cid.toString(), data: c2.data.toString() })
    if (!r.ok) throw new Error('unreachable')
    expect(r.prevData).toBe(c1.data.toString())
    expect(r.proofError).toBeUndefined()
    expect(decodeFrame(withSeq(r.parts, 5)).body).toEqual(decodeFrame(frame).body)
    const s = runVerifyJob(job(syncFrame(alice, 1), '#sync'))
    expect(s).toMatchObject({ ok: true, rev: alice.repo.rev, commit: alice.repo.cid.toString() })
  })

  it('re-encodes (dropping unknown fields, fixing deprecated ones) when a frame is not passed through as is', () => {
    const body = decodeFrame(commitFrame(c2, { seq: 5 })).body as Record<string, unknown>
    const odd = encodeFrame({ op: 1, t: '#commit' }, { ...body, rebase: true, extra: 'field', blobs: ['x'] })
    const r = runVerifyJob(job(odd))
    if (!r.ok) throw new Error(r.message)
    expect(decodeFrame(withSeq(r.parts, 6)).body).toEqual({ ...body, seq: 6, rebase: false, blobs: [] })
  })

  it('treats a first commit without prevData as built on the empty tree', () => {
    // Repo.create's commit is a genesis commit: since null, no prevData, no ops.
    const fresh = new TestAccount('did:plc:carolcccccccccccccccccccc')
    const r = runVerifyJob({
      kind: '#commit',
      did: fresh.did,
      signingKey: fresh.signingKey,
      frame: encodeFrame(
        { op: 1, t: '#commit' },
        {
          seq: 1,
          rebase: false,
          tooBig: false,
          repo: fresh.did,
          commit: fresh.repo.cid,
          rev: fresh.repo.rev,
          since: null,
          blocks: exportRepoCarBytes(fresh.repo.store, fresh.repo.cid),
          ops: [],
          blobs: [],
          time: 't',
        },
      ),
    })
    expect(r).toMatchObject({ ok: true, prevData: undefined })
    expect((r as { proofError?: string }).proofError).toBeUndefined()
  })

  it('rejects forged signatures, wrong keys and mismatched accounts', () => {
    const mallory = Secp256k1Keypair.create()
    expect(runVerifyJob(job(commitFrame(c2, { seq: 1, signWith: mallory })))).toMatchObject({
      ok: false,
      code: 'bad-signature',
    })
    expect(runVerifyJob(job(commitFrame(c2, { seq: 1 }), '#commit', mallory.did()))).toMatchObject({
      ok: false,
      code: 'bad-signature',
    })
    expect(
      runVerifyJob({ ...job(commitFrame(c2, { seq: 1 })), did: 'did:plc:otherrrrrrrrrrrrrrrrrrrr' }),
    ).toMatchObject({
      ok: false,
      code: 'malformed',
    })
  })

  it('reports broken proofs with the signature status, and drops garbage', () => {
    const wrongPrev = runVerifyJob(job(commitFrame(c2, { seq: 1, prevData: c2.data })))
    expect(wrongPrev).toMatchObject({ ok: true })
    expect((wrongPrev as { proofError?: string }).proofError).toMatch(/inversion-failed/)
    const stripped = runVerifyJob(job(commitFrame(c2, { seq: 1, stripBlocks: true })))
    expect((stripped as { proofError?: string }).proofError).toMatch(/missing-block|inversion-failed/)
    const legacy = runVerifyJob(job(commitFrame(c2, { seq: 1, prevData: null })))
    expect((legacy as { proofError?: string }).proofError).toMatch(/prevData/)
    const garbage = encodeFrame({ op: 1, t: '#commit' }, { repo: alice.did, seq: 1, blocks: 5 })
    expect(runVerifyJob(job(garbage))).toMatchObject({ ok: false, code: 'malformed' })
    const floaty = Buffer.concat([
      encodeCbor({ op: 1, t: '#commit' }),
      Buffer.from([0xa1, 0x61, 0x78, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0]),
    ])
    expect(runVerifyJob(job(floaty))).toMatchObject({ ok: false, code: 'malformed' })
    expect(decodeCbor(encodeCbor({ a: CID.parse(c2.cid.toString()) }))).toBeTruthy()
  })
})

describe('VerifyPool', () => {
  const pools: VerifyPool[] = []
  afterAll(async () => {
    for (const p of pools) await p.close()
  })

  async function runAll(pool: VerifyPool, jobs: VerifyJob[]): Promise<VerifyResult[]> {
    return Promise.all(jobs.map((j) => new Promise<VerifyResult>((resolve) => pool.verify(j, resolve))))
  }

  it('gives the same answers inline and on workers', async () => {
    const mallory = Secp256k1Keypair.create()
    const jobs: VerifyJob[] = []
    for (let i = 0; i < 60; i++) {
      jobs.push(job(commitFrame(c2, { seq: i, signWith: i % 3 === 0 ? mallory : undefined })))
    }
    const inline = new VerifyPool({ workers: 0 })
    const threaded = new VerifyPool({ workers: 2, batchSize: 7 })
    pools.push(inline, threaded)
    const a = await runAll(inline, jobs)
    const b = await runAll(threaded, jobs)
    expect(a.map((r) => r.ok)).toEqual(jobs.map((_, i) => i % 3 !== 0))
    const strip = (r: VerifyResult) => (r.ok ? { ...r, parts: Buffer.from(withSeq(r.parts, 1)).toString('hex') } : r)
    expect(b.map(strip)).toEqual(a.map(strip))
  })
})
