/**
 * Custom feeds end to end: the example feed generator ("posts with images from people you follow", built
 * on the sync kit) is published with an app.bsky.feed.generator record; the official PDS resolves it
 * through our AppView (com.atproto.repo.getRecord) and proxies getFeed with a token for the generator,
 * which the AppView forwards to getFeedSkeleton and hydrates.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type FeedGenerator,
  type ImagesFromFollowsIndex,
  followImagesFromFollows,
  startFeedGenerator,
} from '../src/feedgen/index.ts'
import type { Sync } from '@stratus/core/sync'
import { type Stack, startStack } from './appview-setup.ts'

const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
)

const dir = mkdtempSync(join(tmpdir(), 'appview-fg-'))

describe('feed generator kit + AppView getFeed', () => {
  let stack: Stack
  let gen: FeedGenerator
  let sync: Sync
  let index: ImagesFromFollowsIndex

  beforeAll(async () => {
    stack = await startStack(`sqlite:${join(dir, 'a.db')}`)
    ;({ index, sync } = await followImagesFromFollows(stack.network.pds.url, {
      plcUrl: stack.network.plc.url,
      allowPrivateNetwork: true,
    }))
  }, 60_000)

  afterAll(async () => {
    await sync?.stop()
    await gen?.close()
    await stack?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves "images from people you follow" through the PDS and the AppView', async () => {
    const agents = await Promise.all(
      ['alice', 'bob', 'carol'].map(async (name) => {
        const a = stack.agent()
        await a.createAccount({ email: `${name}@test.com`, handle: `${name}.test`, password: 'hunter2' })
        return a
      }),
    )
    const [alice, bob, carol] = agents
    gen = await startFeedGenerator({
      feeds: { images: index.algorithm },
      publisherDid: alice.assertDid,
      plcUrl: stack.network.plc.url,
      devMode: true,
    })
    await alice.follow(bob.assertDid)
    const image = async (agent: typeof alice, text: string) => {
      const blob = await agent.uploadBlob(PNG, { encoding: 'image/png' })
      return agent.post({
        text,
        embed: { $type: 'app.bsky.embed.images', images: [{ image: blob.data.blob, alt: '' }] },
      })
    }
    const bobImage = await image(bob, 'bob with image')
    await bob.post({ text: 'bob without image' })
    await image(carol, 'carol with image (not followed)')
    const bobImage2 = await image(bob, 'bob again')
    const record = await alice.app.bsky.feed.generator.create(
      { repo: alice.assertDid, rkey: 'images' },
      {
        did: gen.did,
        displayName: 'Images from follows',
        description: 'posts with images from people you follow',
        createdAt: new Date().toISOString(),
      },
    )
    await stack.synced()
    const deadline = Date.now() + 10_000
    while (index.posts.size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))

    const feed = (await alice.app.bsky.feed.getFeed({ feed: record.uri })).data
    expect(feed.feed.map((f) => f.post.uri)).toEqual([bobImage2.uri, bobImage.uri])
    expect(feed.feed[0].post.embed?.$type).toBe('app.bsky.embed.images#view')
    const page = (await alice.app.bsky.feed.getFeed({ feed: record.uri, limit: 1 })).data
    const next = (await alice.app.bsky.feed.getFeed({ feed: record.uri, limit: 1, cursor: page.cursor })).data
    expect([...page.feed, ...next.feed].map((f) => f.post.uri)).toEqual([bobImage2.uri, bobImage.uri])

    const info = (await bob.app.bsky.feed.getFeedGenerator({ feed: record.uri })).data
    expect([info.view.displayName, info.view.did, info.view.creator.did, info.isOnline, info.isValid]).toEqual([
      'Images from follows',
      gen.did,
      alice.assertDid,
      true,
      true,
    ])
    await bob.like(record.uri, record.cid)
    await stack.synced()
    const many = (await bob.app.bsky.feed.getFeedGenerators({ feeds: [record.uri] })).data.feeds
    expect([many[0].likeCount, many[0].viewer?.like !== undefined]).toEqual([1, true])

    // The generator on its own: describe lists the feed; anonymous skeletons are empty; bad tokens refused.
    const describe = await (await fetch(`${gen.url}/xrpc/app.bsky.feed.describeFeedGenerator`)).json()
    expect(describe).toEqual({ did: gen.did, feeds: [{ uri: record.uri }] })
    const anon = await (
      await fetch(`${gen.url}/xrpc/app.bsky.feed.getFeedSkeleton?feed=${encodeURIComponent(record.uri)}`)
    ).json()
    expect(anon).toEqual({ feed: [] })
    const wrongAud = (
      await bob.com.atproto.server.getServiceAuth({ aud: stack.appview.did, lxm: 'app.bsky.feed.getFeedSkeleton' })
    ).data.token
    const refused = await fetch(
      `${gen.url}/xrpc/app.bsky.feed.getFeedSkeleton?feed=${encodeURIComponent(record.uri)}`,
      {
        headers: { authorization: `Bearer ${wrongAud}` },
      },
    )
    expect(refused.status).toBe(401)
    expect(stack.invalid).toEqual([])
  })
})
