/**
 * getRepo's fast export against core's exportRepoCarBytes over the same store (the reference: block by
 * block through the store's get): identical bytes for an empty repo, for a tree of several levels read in
 * one page or many, with one record block under two keys (sent twice, as core does), and MissingBlockError
 * when a block the tree links to is gone.
 */
import { CID } from '@stratus/core/data'
import { MissingBlockError, exportRepoCarBytes } from '@stratus/core/repo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestPds, startTestPds } from '../test-util.ts'
import { readRoot } from './block-store.ts'
import { exportRepoCar } from './export-car.ts'
import { newAccount, xrpc } from './test-helpers.ts'

let t: TestPds

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
})
afterAll(async () => {
  await t?.close()
})

async function bytes(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

/** Both exports of `did`'s repository, ours read `pageBlocks` blocks at a time. */
async function both(did: string, pageBlocks?: number): Promise<[Uint8Array, Uint8Array]> {
  const root = readRoot(t.pds.ctx.db, did)
  const store = t.pds.ctx.repo?.blockStore(did)
  if (!root || !store) throw new Error('no repo')
  return [await bytes(exportRepoCar(t.pds.ctx.db, root.id, pageBlocks)), exportRepoCarBytes(store, root.cid)]
}

describe('exportRepoCar', () => {
  it('writes the same CAR as core for an empty repository', async () => {
    const { did } = await newAccount(t, 'empty')
    const [ours, core] = await both(did)
    expect(ours).toEqual(core)
  })

  it('writes the same CAR as core, in one page or many, a shared record block included twice', async () => {
    const { did, agent } = await newAccount(t, 'many')
    const token = agent.session?.accessJwt as string
    const same = { $type: 'com.example.thing', text: 'the same record under two keys' }
    const writes = Array.from({ length: 150 }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create',
      collection: 'com.example.thing',
      rkey: `k${String(i).padStart(4, '0')}`,
      value: i % 50 === 7 ? same : { $type: 'com.example.thing', text: `record ${i} ${'x'.repeat(500)}` },
    }))
    const res = await xrpc(t, 'com.atproto.repo.applyWrites', { token, body: { repo: did, writes } })
    expect(res.status).toBe(200)
    const [ours, core] = await both(did)
    expect(ours).toEqual(core)
    expect(ours.length).toBeGreaterThan(64 * 1024) // more than one chunk
    for (const page of [1, 2, 7]) expect((await both(did, page))[0]).toEqual(core)
  })

  it('throws MissingBlockError when a linked block is gone', async () => {
    const { did, agent } = await newAccount(t, 'broken')
    const token = agent.session?.accessJwt as string
    const body = { repo: did, collection: 'com.example.thing', record: { $type: 'com.example.thing', text: 'x' } }
    const res = await xrpc(t, 'com.atproto.repo.createRecord', { token, body })
    const root = readRoot(t.pds.ctx.db, did)
    if (!root) throw new Error('no repo')
    // The record block: not the MST node that links to it.
    t.pds.ctx.db.sqlite
      .prepare('DELETE FROM repo_block WHERE repo = ? AND cid = ?')
      .run(root.id, CID.parse(res.body.cid).bytes)
    expect(() => exportRepoCar(t.pds.ctx.db, root.id)).toThrow(MissingBlockError)
  })
})
