/**
 * The blob lifecycle on a running PDS: upload (raw CID of the bytes, sniffed media type, size) → temporary
 * (not served) → linked by a record (served by com.atproto.sync.getBlob) → unlinked by the last record
 * (row and file deleted) ; blobs shared by two records; records may only link this account's uploads with
 * the uploaded size and type; unreferenced uploads swept after the grace period (injected clock), by the
 * periodic sweeper too.
 */
import { existsSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { CID as MfCID } from 'multiformats/cid'
import { create as createDigest } from 'multiformats/hashes/digest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newAccount, snapshot, xrpc } from './repo/test-helpers.ts'
import { type TestPds, startTestPds } from './test-util.ts'

const HOUR = 3_600_000
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(300, 3),
])

let t: TestPds
let alice: { did: string; token: string }
let bob: { did: string; token: string }
let clock = Date.now()

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  const blobs = t.pds.ctx.blobs
  if (!blobs) throw new Error('blob storage not installed')
  blobs.now = () => clock
  const a = await newAccount(t, 'alice')
  const b = await newAccount(t, 'bob')
  alice = { did: a.did, token: a.agent.session?.accessJwt as string }
  bob = { did: b.did, token: b.agent.session?.accessJwt as string }
})
afterAll(async () => {
  await t?.close()
})

function rawCid(bytes: Uint8Array): string {
  return MfCID.createV1(0x55, createDigest(0x12, createHash('sha256').update(bytes).digest())).toString()
}

async function upload(who: { token: string }, bytes: Uint8Array, contentType: string) {
  const res = await xrpc(t, 'com.atproto.repo.uploadBlob', { token: who.token, body: bytes, contentType })
  expect(res.status).toBe(200)
  return res.body.blob as { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number }
}

async function getBlob(did: string, cid: string) {
  const res = await fetch(`${t.url}/xrpc/com.atproto.sync.getBlob?did=${did}&cid=${cid}`)
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) }
}

const put = (who: { did: string; token: string }, rkey: string, value: unknown) =>
  xrpc(t, 'com.atproto.repo.putRecord', {
    token: who.token,
    body: { repo: who.did, collection: 'com.example.pic', rkey, record: { pic: value } },
  })
const del = (who: { did: string; token: string }, rkey: string) =>
  xrpc(t, 'com.atproto.repo.deleteRecord', {
    token: who.token,
    body: { repo: who.did, collection: 'com.example.pic', rkey },
  })

const file = (did: string, cid: string) => t.pds.ctx.blobs?.path(did, cid) as string

describe('uploads', () => {
  it('answer the raw CID of the bytes, the sniffed type (not the declared one) and the size', async () => {
    const png = await upload(alice, PNG, 'application/octet-stream')
    expect(png).toEqual({ $type: 'blob', ref: { $link: rawCid(PNG) }, mimeType: 'image/png', size: PNG.length })
    const jpeg = await upload(alice, JPEG, 'image/png')
    expect(jpeg.mimeType).toBe('image/jpeg')
    const text = await upload(alice, Buffer.from('just some words'), 'text/plain')
    expect(text.mimeType).toBe('text/plain')
    const empty = await upload(alice, new Uint8Array(0), 'application/octet-stream')
    expect(empty.size).toBe(0)
  })

  it('stay temporary: stored on disk but not served', async () => {
    const blob = await upload(alice, Buffer.from('temporary bytes'), 'text/plain')
    expect(existsSync(file(alice.did, blob.ref.$link))).toBe(true)
    expect((await getBlob(alice.did, blob.ref.$link)).status).toBe(400)
  })
})

describe('links from records', () => {
  it('temporary → linked (served) → shared → unlinked by the last record (deleted)', async () => {
    const bytes = Buffer.from('a picture, honestly')
    const blob = await upload(alice, bytes, 'image/webp')
    const cid = blob.ref.$link
    expect((await put(alice, 'one', blob)).status).toBe(200)
    const served = await getBlob(alice.did, cid)
    expect([served.status, served.type]).toEqual([200, 'image/webp'])
    expect(served.bytes).toEqual(bytes)
    expect((await put(alice, 'two', blob)).status).toBe(200)
    expect((await del(alice, 'one')).status).toBe(200)
    expect((await getBlob(alice.did, cid)).status).toBe(200) // still linked by 'two'
    // Updating 'two' to another blob releases this one: row and file go.
    const other = await upload(alice, Buffer.from('another picture'), 'image/webp')
    expect((await put(alice, 'two', other)).status).toBe(200)
    expect((await getBlob(alice.did, cid)).status).toBe(400)
    expect(existsSync(file(alice.did, cid))).toBe(false)
    expect((await getBlob(alice.did, other.ref.$link)).status).toBe(200)
    expect((await del(alice, 'two')).status).toBe(200)
    expect(existsSync(file(alice.did, other.ref.$link))).toBe(false)
    const listed = await xrpc(t, 'com.atproto.sync.listBlobs', { query: { did: alice.did } })
    expect(listed.body.cids).not.toContain(cid)
  })

  it("refuse another account's blob, and a wrong size or media type; nothing changes", async () => {
    const blob = await upload(bob, Buffer.from("bob's file"), 'image/gif')
    const mine = await upload(alice, Buffer.from('alice file'), 'image/gif')
    const before = snapshot(t, alice.did)
    const foreign = await put(alice, 'x', blob)
    expect([foreign.status, foreign.body.error]).toEqual([400, 'BlobNotFound'])
    const size = await put(alice, 'x', { ...mine, size: mine.size + 1 })
    expect([size.status, size.body.error]).toEqual([400, 'InvalidSize'])
    const mime = await put(alice, 'x', { ...mine, mimeType: 'image/png' })
    expect([mime.status, mime.body.error]).toEqual([400, 'InvalidMimeType'])
    const malformed = await put(alice, 'x', { $type: 'blob', ref: { $link: mine.ref.$link } })
    expect(malformed.status).toBe(400)
    expect(snapshot(t, alice.did)).toEqual(before)
    expect((await getBlob(bob.did, blob.ref.$link)).status).toBe(400)
  })
})

describe('the grace period', () => {
  it('keeps unreferenced uploads for an hour, then sweeps rows and files', async () => {
    clock = Date.UTC(2030, 0, 1)
    const blobs = t.pds.ctx.blobs
    if (!blobs) throw new Error('no blobs')
    const blob = await upload(alice, Buffer.from('soon swept'), 'text/plain')
    const kept = await upload(alice, Buffer.from('soon linked'), 'text/plain')
    clock += 30 * 60_000
    blobs.sweep() // older uploads of the tests above go; these two stay
    expect(existsSync(file(alice.did, blob.ref.$link))).toBe(true)
    expect((await put(alice, 'kept', kept)).status).toBe(200)
    clock += 31 * 60_000
    expect(blobs.sweep()).toBe(1)
    expect(existsSync(file(alice.did, blob.ref.$link))).toBe(false)
    expect(existsSync(file(alice.did, kept.ref.$link))).toBe(true)
    expect((await getBlob(alice.did, kept.ref.$link)).status).toBe(200)
    // A swept blob can no longer be linked.
    const late = await put(alice, 'late', blob)
    expect(late.body.error).toBe('BlobNotFound')
  })

  it('re-uploading restarts the grace period; the periodic sweeper runs on its own', async () => {
    const blobs = t.pds.ctx.blobs
    if (!blobs) throw new Error('no blobs')
    const bytes = Buffer.from('uploaded twice')
    clock += 5 * HOUR
    blobs.sweep() // nothing older is left
    const blob = await upload(alice, bytes, 'text/plain')
    clock += 50 * 60_000
    await upload(alice, bytes, 'text/plain')
    clock += 50 * 60_000
    expect(blobs.sweep()).toBe(0)
    expect(existsSync(file(alice.did, blob.ref.$link))).toBe(true)
    blobs.stop()
    clock += 2 * HOUR
    blobs.start(20)
    try {
      await expect.poll(() => existsSync(file(alice.did, blob.ref.$link)), { timeout: 5000 }).toBe(false)
    } finally {
      blobs.stop()
    }
  })

  it('never accepts a grace period under an hour', () => {
    expect(t.pds.ctx.blobs?.graceMs).toBeGreaterThanOrEqual(HOUR)
  })
})
