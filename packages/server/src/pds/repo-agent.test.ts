/**
 * What a Bluesky user does, through the official client (@atproto/api AtpAgent, unchanged) against our PDS:
 * profile (upsertProfile, create then update), posts with facets (RichText.detectFacets: mention, link,
 * hashtag), a reply, a quote, an image with alt text, likes, reposts, follows, deletes; everything read back
 * with getRecord/listRecords with the CIDs the writes returned, each CID recomputed independently with
 * @ipld/dag-cbor from the JSON the PDS serves, and describeRepo.
 */
import { type AtpAgent, RichText } from '@atproto/api'
import * as dagCbor from '@ipld/dag-cbor'
import { CID as MfCID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newAccount } from './repo/test-helpers.ts'
import { type TestPds, startTestPds } from './test-util.ts'

// A real 1×1 PNG (so sniffing and the declared type agree).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

let t: TestPds
let alice: { agent: AtpAgent; did: string; handle: string }
let bob: { agent: AtpAgent; did: string; handle: string }

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  alice = await newAccount(t, 'alice')
  bob = await newAccount(t, 'bob')
})
afterAll(async () => {
  await t?.close()
})

/** JSON form → IPLD (CIDs and bytes), then the DAG-CBOR CID, all with the official IPLD packages. */
function ipld(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(ipld)
  if (v === null || typeof v !== 'object') return v
  const o = v as Record<string, unknown>
  if (typeof o.$link === 'string' && Object.keys(o).length === 1) return MfCID.parse(o.$link)
  if (typeof o.$bytes === 'string' && Object.keys(o).length === 1)
    return new Uint8Array(Buffer.from(o.$bytes, 'base64'))
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, ipld(x)]))
}
async function cidOfJson(v: unknown): Promise<string> {
  const bytes = dagCbor.encode(ipld(v))
  return MfCID.createV1(0x71, await sha256.digest(bytes)).toString()
}

/** getRecord through the official client (which turns blobs into its own BlobRef objects). */
async function readBack(agent: AtpAgent, uri: string) {
  const [, , repo, collection, rkey] = uri.split('/')
  const res = await agent.com.atproto.repo.getRecord({ repo, collection, rkey })
  return res.data
}

/** getRecord as raw JSON, for recomputing CIDs from exactly what the PDS serves. */
async function readRaw(uri: string): Promise<{ cid: string; value: unknown }> {
  const [, , repo, collection, rkey] = uri.split('/')
  const url = new URL('/xrpc/com.atproto.repo.getRecord', t.url)
  url.search = new URLSearchParams({ repo, collection, rkey }).toString()
  return (await fetch(url)).json()
}

/** Reads a write back both ways and checks its CID against the stored bytes and an independent encoder. */
async function expectStored(agent: AtpAgent, w: { uri: string; cid: string }) {
  const got = await readBack(agent, w.uri)
  expect(got.cid).toBe(w.cid)
  const raw = await readRaw(w.uri)
  expect(raw.cid).toBe(w.cid)
  expect(await cidOfJson(raw.value)).toBe(w.cid)
  return raw.value
}

const written: { uri: string; cid: string }[] = []

describe('a Bluesky user through @atproto/api', () => {
  it('writes and updates a profile with upsertProfile', async () => {
    await alice.agent.upsertProfile(() => ({ displayName: 'Alice', description: 'first' }))
    const first = await readRaw(`at://${alice.did}/app.bsky.actor.profile/self`)
    expect(first.value).toMatchObject({ $type: 'app.bsky.actor.profile', displayName: 'Alice', description: 'first' })
    await alice.agent.upsertProfile((old) => ({ ...old, description: 'second' }))
    const second = await readRaw(`at://${alice.did}/app.bsky.actor.profile/self`)
    expect(second.value).toMatchObject({ displayName: 'Alice', description: 'second' })
    expect(second.cid).not.toBe(first.cid)
    expect(await cidOfJson(second.value)).toBe(second.cid)
  })

  it('posts with detected facets (mention, link, tag) and reads them back', async () => {
    const rt = new RichText({ text: 'hi @bob.test, see https://example.com/x #stratus ✨' })
    await rt.detectFacets(alice.agent)
    const kinds = rt.facets?.flatMap((f) => f.features.map((x) => x.$type))
    expect(kinds).toEqual([
      'app.bsky.richtext.facet#mention',
      'app.bsky.richtext.facet#link',
      'app.bsky.richtext.facet#tag',
    ])
    const res = await alice.agent.post({ text: rt.text, facets: rt.facets, langs: ['en'] })
    written.push(res)
    const value = await expectStored(alice.agent, res)
    expect((value as { facets: { features: { did?: string }[] }[] }).facets[0].features[0].did).toBe(bob.did)
    expect(res.uri).toMatch(new RegExp(`^at://${alice.did}/app.bsky.feed.post/[2-7a-z]{13}$`))
  })

  it('replies, quotes and posts an uploaded image with alt text', async () => {
    const root = written[0]
    const reply = await bob.agent.post({ text: 'a reply', reply: { root, parent: root } })
    const quote = await bob.agent.post({ text: 'a quote', embed: { $type: 'app.bsky.embed.record', record: root } })
    const upload = await alice.agent.uploadBlob(PNG, { encoding: 'image/png' })
    expect(upload.data.blob.mimeType).toBe('image/png')
    expect(upload.data.blob.size).toBe(PNG.length)
    const image = await alice.agent.post({
      text: 'a picture',
      embed: {
        $type: 'app.bsky.embed.images',
        images: [{ image: upload.data.blob, alt: 'one red pixel', aspectRatio: { width: 1, height: 1 } }],
      },
    })
    written.push(reply, quote, image)
    for (const w of [reply, quote]) await expectStored(bob.agent, w)
    const img = (await expectStored(alice.agent, image)) as any
    expect(img.embed.images[0].alt).toBe('one red pixel')
    expect(img.embed.images[0].image).toEqual({
      $type: 'blob',
      ref: { $link: upload.data.blob.ref.toString() },
      mimeType: 'image/png',
      size: PNG.length,
    })
    // The image is now linked to a record, so it is served.
    const blob = await alice.agent.com.atproto.sync.getBlob({ did: alice.did, cid: upload.data.blob.ref.toString() })
    expect(Buffer.from(blob.data)).toEqual(PNG)
  })

  it('likes, reposts and follows, and lists them newest first', async () => {
    const [post, , , image] = written
    const like1 = await bob.agent.like(post.uri, post.cid)
    const like2 = await bob.agent.like(image.uri, image.cid)
    const repost = await bob.agent.repost(post.uri, post.cid)
    const follow = await bob.agent.follow(alice.did)
    for (const w of [like1, like2, repost, follow]) await expectStored(bob.agent, w)
    const likes = await bob.agent.com.atproto.repo.listRecords({ repo: bob.handle, collection: 'app.bsky.feed.like' })
    expect(likes.data.records.map((r) => [r.uri, r.cid])).toEqual([
      [like2.uri, like2.cid],
      [like1.uri, like1.cid],
    ])
    const reversed = await bob.agent.com.atproto.repo.listRecords({
      repo: bob.did,
      collection: 'app.bsky.feed.like',
      reverse: true,
    })
    expect(reversed.data.records.map((r) => r.uri)).toEqual([like1.uri, like2.uri])
    const follows = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.graph.follow' })
    expect(follows.data.records).toHaveLength(1)
    expect(follows.data.records[0].value).toMatchObject({ subject: alice.did })
  })

  it('deletes, and the deleted records are gone from reads and lists', async () => {
    const likes = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.feed.like' })
    const reposts = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.feed.repost' })
    const follows = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.graph.follow' })
    await bob.agent.deleteLike(likes.data.records[0].uri)
    await bob.agent.deleteRepost(reposts.data.records[0].uri)
    await bob.agent.deleteFollow(follows.data.records[0].uri)
    const quote = written[2]
    await bob.agent.deletePost(quote.uri)
    for (const uri of [
      likes.data.records[0].uri,
      reposts.data.records[0].uri,
      follows.data.records[0].uri,
      quote.uri,
    ]) {
      const err = await readBack(bob.agent, uri).catch((e) => e)
      expect(err.error).toBe('RecordNotFound')
    }
    const after = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.feed.like' })
    expect(after.data.records.map((r) => r.uri)).toEqual([likes.data.records[1].uri])
    const posts = await bob.agent.com.atproto.repo.listRecords({ repo: bob.did, collection: 'app.bsky.feed.post' })
    expect(posts.data.records.map((r) => r.uri)).toEqual([written[1].uri])
  })

  it('pages through listRecords with cursors in both directions', async () => {
    const uris: string[] = []
    for (let i = 0; i < 7; i++) uris.push((await alice.agent.post({ text: `page ${i}` })).uri)
    const all = await alice.agent.com.atproto.repo.listRecords({
      repo: alice.did,
      collection: 'app.bsky.feed.post',
      limit: 100,
    })
    const newestFirst = all.data.records.map((r) => r.uri)
    expect(newestFirst.slice(0, 7)).toEqual([...uris].reverse())
    for (const reverse of [false, true]) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await alice.agent.com.atproto.repo.listRecords({
          repo: alice.did,
          collection: 'app.bsky.feed.post',
          limit: 3,
          cursor,
          reverse,
        })
        expect(page.data.records.length).toBeLessThanOrEqual(3)
        seen.push(...page.data.records.map((r) => r.uri))
        cursor = page.data.records.length === 3 ? page.data.cursor : undefined
      } while (cursor)
      expect(seen).toEqual(reverse ? [...newestFirst].reverse() : newestFirst)
    }
  })

  it('describes the repository', async () => {
    const res = await alice.agent.com.atproto.repo.describeRepo({ repo: alice.handle })
    expect(res.data.did).toBe(alice.did)
    expect(res.data.handle).toBe(alice.handle)
    expect(res.data.handleIsCorrect).toBe(true)
    expect(res.data.collections).toEqual(['app.bsky.actor.profile', 'app.bsky.feed.post'])
    expect((res.data.didDoc as { id: string }).id).toBe(alice.did)
    const missing = await alice.agent.com.atproto.repo.describeRepo({ repo: 'nobody.test' }).catch((e) => e)
    expect(missing.error).toBe('RepoNotFound')
  })
})
