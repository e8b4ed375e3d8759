/**
 * The "must pass" on our own stack: PLC + Stratus PDS + Stratus relay + Stratus AppView on
 * loopback. @atproto/api talks only to the PDS, which proxies app.bsky.* to the AppView with service-auth
 * tokens; the AppView indexes the relay's firehose. Every app.bsky response is validated against the
 * lexicons.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { jsonToLex } from '@stratus/core/data'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppView, startAppView } from '../src/appview/index.ts'
import { loadBundledLexicons } from '../src/lexicons/index.ts'
import { type TestPds, type TestPlc, startTestPds, startTestPlc } from '../src/pds/test-util.ts'
import { freePort } from './appview-setup.ts'
import { type Scenario, runScenario } from './appview-scenario.ts'
import { type TestRelay, hostnameOf, requestCrawl, startTestRelay } from './relay-helpers.ts'

let plc: TestPlc
let pds: TestPds
let relay: TestRelay
let appview: AppView
const dir = mkdtempSync(join(tmpdir(), 'appview-stratus-'))
let s: Scenario
const invalid: string[] = []
let validated = 0
const agents: AtpAgent[] = []

function validatingFetch(): typeof fetch {
  const lexicons = loadBundledLexicons()
  return async (input, init) => {
    const res = await fetch(input, init)
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    const nsid = url.pathname.slice('/xrpc/'.length)
    if (res.ok && nsid.startsWith('app.bsky.') && res.headers.get('content-type')?.includes('json')) {
      validated++
      try {
        lexicons.assertValidXrpcOutput(nsid, jsonToLex(await res.clone().json()))
      } catch (err) {
        invalid.push(`${nsid}: ${(err as Error).message}`)
      }
    }
    return res
  }
}

/** Waits until the AppView holds every account's latest PDS revision (through the relay). */
async function synced(): Promise<void> {
  const deadline = Date.now() + 30_000
  for (const a of agents) {
    if (!a.session) continue
    const did = a.assertDid
    const { rev } = (await a.com.atproto.sync.getLatestCommit({ did })).data
    while (true) {
      const row = await appview.ctx.db.selectFrom('sync_repo').select('rev').where('did', '=', did).executeTakeFirst()
      if (row && row.rev >= rev) break
      if (Date.now() > deadline) throw new Error(`AppView did not catch up with ${did} (${row?.rev} < ${rev})`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  await appview.sync?.idle()
}

beforeAll(async () => {
  plc = await startTestPlc()
  const port = await freePort()
  const did = `did:web:localhost%3A${port}`
  pds = await startTestPds({ rateLimits: false, appviewUrl: `http://localhost:${port}`, appviewDid: did }, { plc })
  relay = await startTestRelay({ plcUrl: plc.url })
  expect((await requestCrawl(relay.url, hostnameOf(pds.url))).status).toBe(200)
  appview = await startAppView({
    port,
    did,
    dbUrl: `sqlite:${join(dir, 'appview.db')}`,
    relay: relay.url,
    plcUrl: plc.url,
    devMode: true,
    logLevel: 'silent',
    resolveHandle: async (h) => {
      const r = await fetch(`${pds.url}/xrpc/com.atproto.identity.resolveHandle?handle=${h}`)
      return r.ok ? ((await r.json()) as { did: string }).did : undefined
    },
  })
  s = await runScenario({
    agent: () => {
      const a = new AtpAgent({ service: pds.url, fetch: validatingFetch() })
      agents.push(a)
      return a
    },
    synced,
  })
}, 180_000)

afterAll(async () => {
  await appview?.close()
  await relay?.close()
  await pds?.close()
  await plc?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Stratus PDS + relay + AppView', () => {
  it('timeline, thread, profile and notifications through the PDS', async () => {
    const { posts: p } = s
    const feed = (await s.alice.getTimeline({ limit: 50 })).data.feed
    expect(feed.map((f) => [f.post.uri, f.reason ? 'repost' : 'post'])).toEqual([
      [p.bobImage.uri, 'repost'],
      [p.carolQuote.uri, 'post'],
      [p.carolReply.uri, 'post'],
      [p.aliceReply.uri, 'post'],
      [p.aliceMention.uri, 'post'],
      [p.carolLink.uri, 'post'],
      [p.bobImage.uri, 'post'],
    ])
    const image = feed[6].post
    expect([image.likeCount, image.repostCount, image.replyCount, image.quoteCount]).toEqual([2, 1, 1, 1])
    expect(image.viewer?.like).toBe(s.likes.aliceOnBob.uri)
    const thread = (await s.bob.getPostThread({ uri: p.bobImage.uri })).data.thread as {
      replies: { post: { uri: string }; replies: { post: { uri: string } }[] }[]
    }
    expect(thread.replies.map((r) => [r.post.uri, r.replies.map((x) => x.post.uri)])).toEqual([
      [p.aliceReply.uri, [p.carolReply.uri]],
    ])
    const bob = (await s.alice.getProfile({ actor: 'bob.test' })).data
    expect([bob.followersCount, bob.followsCount, bob.postsCount]).toEqual([2, 1, 1])
    expect(bob.viewer).toMatchObject({ following: s.follows.aliceBob.uri, followedBy: s.follows.bobAlice.uri })
    const notes = (await s.bob.listNotifications({ limit: 50 })).data.notifications
    expect(notes.map((n) => n.reason).sort()).toEqual(
      ['follow', 'follow', 'like', 'like', 'mention', 'quote', 'reply', 'reply', 'repost'].sort(),
    )
    expect((await s.bob.countUnreadNotifications()).data.count).toBe(9)
  })

  it('blocks, mutes, and delete + re-create restoring counts', async () => {
    const { posts: p } = s
    await s.alice.mute(s.did.carol)
    expect((await s.alice.getTimeline({})).data.feed.map((f) => f.post.uri)).toEqual([
      p.aliceReply.uri,
      p.aliceMention.uri,
      p.bobImage.uri,
    ])
    await s.alice.unmute(s.did.carol)
    const block = await s.bob.app.bsky.graph.block.create(
      { repo: s.did.bob },
      { subject: s.did.carol, createdAt: new Date().toISOString() },
    )
    await synced()
    await expect(s.carol.getAuthorFeed({ actor: s.did.bob })).rejects.toMatchObject({ error: 'BlockedByActor' })
    await s.bob.app.bsky.graph.block.delete({ repo: s.did.bob, rkey: block.uri.split('/').pop() as string })
    const counts = async () => {
      const post = (await s.carol.getPosts({ uris: [p.bobImage.uri] })).data.posts[0]
      return [post.likeCount, post.repostCount, post.replyCount, post.quoteCount].map(Number)
    }
    await synced()
    const before = await counts()
    await s.alice.deleteLike(s.likes.aliceOnBob.uri)
    await s.carol.deleteRepost(s.reposts.carolOfBob.uri)
    await synced()
    expect(await counts()).toEqual([before[0] - 1, before[1] - 1, before[2], before[3]])
    await s.alice.like(p.bobImage.uri, p.bobImage.cid)
    await s.carol.repost(p.bobImage.uri, p.bobImage.cid)
    await synced()
    expect(await counts()).toEqual(before)
    expect(invalid).toEqual([])
    expect(validated).toBeGreaterThanOrEqual(8)
  })
})
