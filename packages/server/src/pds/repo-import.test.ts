/**
 * com.atproto.repo.importRepo and listMissingBlobs: a CAR built by the official @atproto/repo, and one
 * built by our core with blob references (typed and legacy), replace the account's repository; the result
 * is re-signed with the account's key (verified by @atproto/repo), indexed (listRecords/getRecord), announced
 * with a #sync event, and its blobs listed as missing until uploaded. Bad CARs, CARs for another DID and
 * wrong media types change nothing.
 */
import { Secp256k1Keypair as OfficialKeypair } from '@atproto/crypto'
import { MemoryBlockstore, Repo as OfficialRepo, WriteOpAction, getFullRepo, verifyRepoCar } from '@atproto/repo'
import { CID } from '@stratus/core/data'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { MemoryBlockStore, Repo, exportRepoCarBytes } from '@stratus/core/repo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newAccount, snapshot, xrpc } from './repo/test-helpers.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let alice: { did: string; token: string }
const CAR = 'application/vnd.ipld.car'
const BLOB_A = new TextEncoder().encode('the first picture')
const BLOB_B = new TextEncoder().encode('the second picture')

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  const a = await newAccount(t, 'mover')
  alice = { did: a.did, token: a.agent.session?.accessJwt as string }
  await a.agent.post({ text: 'written before the import' })
})
afterAll(async () => {
  await t?.close()
})

async function concat(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return Buffer.concat(parts)
}

async function officialCar(did: string, n: number): Promise<Uint8Array> {
  const storage = new MemoryBlockstore()
  const key = await OfficialKeypair.create()
  const writes = Array.from({ length: n }, (_, i) => ({
    action: WriteOpAction.Create as const,
    collection: 'app.bsky.feed.post',
    rkey: `3kaaaaaaaaa${String.fromCharCode(97 + i)}2`,
    record: { $type: 'app.bsky.feed.post', text: `imported ${i}`, createdAt: '2024-01-01T00:00:00.000Z' },
  }))
  const repo = await OfficialRepo.create(storage, did, key, writes)
  return concat(getFullRepo(storage, repo.cid))
}

const importCar = (bytes: Uint8Array, token = alice.token, contentType = CAR) =>
  xrpc(t, 'com.atproto.repo.importRepo', { token, body: bytes, contentType })

const list = async (collection: string) =>
  (await xrpc(t, 'com.atproto.repo.listRecords', { query: { repo: alice.did, collection, limit: '100' } })).body
    .records as { uri: string; value: any }[]

describe('importRepo', () => {
  it('replaces the repository with a CAR made by @atproto/repo, re-signed with the account key', async () => {
    const before = t.pds.ctx.repo?.getRoot(alice.did)
    const res = await importCar(await officialCar(alice.did, 5))
    expect(res.status).toBe(200)
    const root = t.pds.ctx.repo?.getRoot(alice.did)
    expect(root && before && root.rev > before.rev).toBe(true)
    const posts = await list('app.bsky.feed.post')
    expect(posts.map((p) => p.value.text).sort()).toEqual([
      'imported 0',
      'imported 1',
      'imported 2',
      'imported 3',
      'imported 4',
    ])
    const exported = await concat(
      (await fetch(`${t.url}/xrpc/com.atproto.sync.getRepo?did=${alice.did}`))
        .body as unknown as AsyncIterable<Uint8Array>,
    )
    const verified = await verifyRepoCar(exported, alice.did, t.pds.ctx.signingKey(alice.did).did())
    expect(verified.creates).toHaveLength(5)
    const events = t.pds.ctx.db.sqlite
      .prepare('SELECT type FROM repo_event WHERE did = ? ORDER BY seq DESC LIMIT 1')
      .get(alice.did)
    expect(events).toEqual({ type: 'sync' })
    // Writing continues on top of the imported tree.
    const after = await xrpc(t, 'com.atproto.repo.createRecord', {
      token: alice.token,
      body: {
        repo: alice.did,
        collection: 'app.bsky.feed.post',
        record: { text: 'after', createdAt: '2024-01-02T00:00:00.000Z' },
      },
    })
    expect(after.status).toBe(200)
    expect(await list('app.bsky.feed.post')).toHaveLength(6)
  })

  it('links the blobs records reference and lists the missing ones until they are uploaded', async () => {
    const refA = CID.create(0x55, new Uint8Array(await crypto.subtle.digest('SHA-256', BLOB_A)))
    const refB = CID.create(0x55, new Uint8Array(await crypto.subtle.digest('SHA-256', BLOB_B)))
    const store = new MemoryBlockStore()
    const repo = Repo.create(store, alice.did, Secp256k1Keypair.create(), [
      {
        action: 'create',
        collection: 'com.example.pic',
        rkey: 'typed',
        record: {
          $type: 'com.example.pic',
          pic: { $type: 'blob', ref: refA, mimeType: 'text/plain', size: BLOB_A.length },
        },
      },
      {
        action: 'create',
        collection: 'com.example.pic',
        rkey: 'legacy',
        record: { $type: 'com.example.pic', pic: { cid: refB.toString(), mimeType: 'text/plain' } },
      },
    ])
    const res = await importCar(exportRepoCarBytes(store, repo.cid))
    expect(res.status).toBe(200)
    expect(await list('app.bsky.feed.post')).toEqual([])
    const missing = await xrpc(t, 'com.atproto.repo.listMissingBlobs', { token: alice.token })
    const expected = [
      { cid: refA.toString(), recordUri: `at://${alice.did}/com.example.pic/typed` },
      { cid: refB.toString(), recordUri: `at://${alice.did}/com.example.pic/legacy` },
    ].sort((a, b) => (a.cid < b.cid ? -1 : 1))
    expect(missing.body.blobs).toEqual(expected)
    const page = await xrpc(t, 'com.atproto.repo.listMissingBlobs', { token: alice.token, query: { limit: '1' } })
    expect(page.body.blobs).toEqual(expected.slice(0, 1))
    const next = await xrpc(t, 'com.atproto.repo.listMissingBlobs', {
      token: alice.token,
      query: { limit: '1', cursor: page.body.cursor },
    })
    expect(next.body.blobs).toEqual(expected.slice(1))
    // Uploading a missing blob makes it permanent at once (a record already links it).
    const up = await xrpc(t, 'com.atproto.repo.uploadBlob', {
      token: alice.token,
      body: BLOB_A,
      contentType: 'text/plain',
    })
    expect(up.body.blob.ref.$link).toBe(refA.toString())
    const after = await xrpc(t, 'com.atproto.repo.listMissingBlobs', { token: alice.token })
    expect(after.body.blobs).toEqual([{ cid: refB.toString(), recordUri: `at://${alice.did}/com.example.pic/legacy` }])
    const served = await fetch(`${t.url}/xrpc/com.atproto.sync.getBlob?did=${alice.did}&cid=${refA}`)
    expect(served.status).toBe(200)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(BLOB_A)
  })

  it('refuses broken CARs, CARs of another DID and wrong media types, changing nothing', async () => {
    const other = await newAccount(t, 'other')
    const good = await officialCar(alice.did, 2)
    const truncated = good.slice(0, good.length - 20)
    const cases: [string, () => Promise<{ status: number; body: { error: string } }>, number][] = [
      ['garbage', () => importCar(new Uint8Array([1, 2, 3, 4, 5])), 400],
      ['a truncated CAR', () => importCar(truncated), 400],
      ["another account's repository", async () => importCar(await officialCar(other.did, 1)), 400],
      ['a JSON body', () => importCar(new TextEncoder().encode('{}'), alice.token, 'application/json'), 400],
      ['no token', () => xrpc(t, 'com.atproto.repo.importRepo', { body: good, contentType: CAR }), 401],
    ]
    for (const [name, send, status] of cases) {
      const before = snapshot(t, alice.did)
      const res = await send()
      expect([name, res.status]).toEqual([name, status])
      expect(snapshot(t, alice.did)).toEqual(before)
    }
  })
})
