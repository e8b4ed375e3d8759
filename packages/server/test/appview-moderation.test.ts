/**
 * The AppView's social controls end to end (SQLite and PostgreSQL): blocks hide content both ways, mutes
 * are private to the muter, thread gates and post gates, handle changes, deactivation and takedown, and
 * service-auth refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ADMIN_PASSWORD } from '@atproto/dev-env'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { createServiceJwt } from '@stratus/core/xrpc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DbKind, type Stack, dropPgSchema, startStack, testDbUrl } from './appview-setup.ts'
import { type Scenario, runScenario } from './appview-scenario.ts'

const dir = mkdtempSync(join(tmpdir(), 'appview-mod-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const rkey = (uri: string) => uri.split('/').pop() as string
const now = () => new Date().toISOString()

describe.each(['sqlite', 'postgres'] as DbKind[])('AppView moderation (%s)', (kind) => {
  let stack: Stack | undefined
  let s: Scenario
  let dbUrl: string | undefined

  beforeAll(async () => {
    dbUrl = await testDbUrl(kind, 'moderation', dir)
    if (!dbUrl) return
    stack = await startStack(dbUrl)
    s = await runScenario(stack)
  }, 120_000)

  afterAll(async () => {
    if (stack) expect(stack.invalid).toEqual([])
    await stack?.close()
    if (dbUrl && kind === 'postgres') await dropPgSchema(dbUrl)
  })

  const ready = (t: { skip: () => void }): Stack => {
    if (!stack) t.skip()
    return stack as Stack
  }

  it('blocks hide content in both directions, and come back when lifted', async (t) => {
    const st = ready(t)
    const { posts: p } = s
    const block = await s.bob.app.bsky.graph.block.create(
      { repo: s.did.bob },
      { subject: s.did.carol, createdAt: now() },
    )
    await st.synced()
    const thread = (await s.bob.getPostThread({ uri: p.bobImage.uri })).data.thread as {
      replies: { post: { uri: string }; replies?: unknown[] }[]
    }
    expect(thread.replies.map((r) => r.post.uri)).toEqual([p.aliceReply.uri])
    expect(thread.replies[0].replies).toEqual([])
    const notes = (await s.bob.listNotifications({ limit: 50 })).data.notifications
    expect(notes.filter((n) => n.author.did === s.did.carol)).toEqual([])
    expect(notes.length).toBe(4)
    await expect(s.carol.getAuthorFeed({ actor: s.did.bob })).rejects.toMatchObject({ error: 'BlockedByActor' })
    await expect(s.bob.getAuthorFeed({ actor: s.did.carol })).rejects.toMatchObject({ error: 'BlockedActor' })
    const carolFeed = (await s.carol.getTimeline({})).data.feed
    expect(carolFeed.map((f) => f.post.uri)).toEqual([p.carolQuote.uri, p.aliceMention.uri, p.carolLink.uri])
    expect((carolFeed[0].post.embed as { record: { $type: string } }).record.$type).toBe(
      'app.bsky.embed.record#viewBlocked',
    )
    expect((await s.bob.getProfile({ actor: s.did.carol })).data.viewer).toEqual({
      muted: false,
      blockedBy: false,
      blocking: block.uri,
    })
    expect((await s.carol.getProfile({ actor: s.did.bob })).data.viewer).toEqual({ muted: false, blockedBy: true })
    expect((await s.bob.app.bsky.graph.getBlocks({})).data.blocks.map((b) => b.did)).toEqual([s.did.carol])
    expect((await s.bob.getLikes({ uri: p.bobImage.uri })).data.likes.map((l) => l.actor.did)).toEqual([s.did.alice])
    const anchor = (await s.carol.getPostThread({ uri: p.bobImage.uri })).data.thread
    expect(anchor.$type).toBe('app.bsky.feed.defs#blockedPost')
    await s.bob.app.bsky.graph.block.delete({ repo: s.did.bob, rkey: rkey(block.uri) })
    await st.synced()
    expect((await s.carol.getTimeline({})).data.feed.length).toBe(7)
    expect((await s.bob.listNotifications({ limit: 50 })).data.notifications.length).toBe(9)
  })

  it('mutes are private to the muter and hide the muted account from their feeds and notifications', async (t) => {
    const st = ready(t)
    const { posts: p } = s
    await s.alice.mute(s.did.carol)
    const feed = (await s.alice.getTimeline({})).data.feed
    expect(feed.map((f) => f.post.uri)).toEqual([p.aliceReply.uri, p.aliceMention.uri, p.bobImage.uri])
    expect((await s.alice.app.bsky.graph.getMutes({})).data.mutes.map((m) => m.did)).toEqual([s.did.carol])
    expect((await s.alice.getProfile({ actor: s.did.carol })).data.viewer?.muted).toBe(true)
    expect((await s.bob.getProfile({ actor: s.did.carol })).data.viewer?.muted).toBe(false)
    expect((await s.bob.app.bsky.graph.getMutes({})).data.mutes).toEqual([])
    const notes = (await s.alice.listNotifications({})).data.notifications
    expect(notes.map((n) => n.author.did)).not.toContain(s.did.carol)
    await s.alice.unmute(s.did.carol)
    expect((await s.alice.getTimeline({})).data.feed.length).toBe(7)
    void st
  })

  it('thread gates restrict and hide replies; post gates detach quotes and disable embedding', async (t) => {
    const st = ready(t)
    const { posts: p } = s
    const gate = await s.bob.app.bsky.feed.threadgate.create(
      { repo: s.did.bob, rkey: rkey(p.bobImage.uri) },
      { post: p.bobImage.uri, allow: [{ $type: 'app.bsky.feed.threadgate#followingRule' }], createdAt: now() },
    )
    await st.synced()
    const res = (await s.alice.getPostThread({ uri: p.bobImage.uri })).data
    const thread = res.thread as {
      post: { threadgate?: { uri: string } }
      replies: { post: { uri: string }; replies: unknown[] }[]
    }
    expect(res.threadgate?.uri).toBe(gate.uri)
    expect(thread.post.threadgate?.uri).toBe(gate.uri)
    expect(thread.replies.map((r) => r.post.uri)).toEqual([p.aliceReply.uri])
    expect(thread.replies[0].replies).toEqual([]) // carol is not followed by bob
    const forCarol = (await s.carol.getPosts({ uris: [p.bobImage.uri] })).data.posts[0]
    const forAlice = (await s.alice.getPosts({ uris: [p.bobImage.uri] })).data.posts[0]
    expect([forCarol.viewer?.replyDisabled, forAlice.viewer?.replyDisabled]).toEqual([true, undefined])
    await s.bob.app.bsky.feed.threadgate.put(
      { repo: s.did.bob, rkey: rkey(p.bobImage.uri) },
      { post: p.bobImage.uri, hiddenReplies: [p.aliceReply.uri], createdAt: now() },
    )
    await s.bob.app.bsky.feed.postgate.create(
      { repo: s.did.bob, rkey: rkey(p.bobImage.uri) },
      {
        post: p.bobImage.uri,
        detachedEmbeddingUris: [p.carolQuote.uri],
        embeddingRules: [{ $type: 'app.bsky.feed.postgate#disableRule' }],
        createdAt: now(),
      },
    )
    await st.synced()
    const hidden = (await s.alice.getPostThread({ uri: p.bobImage.uri })).data.thread as { replies: unknown[] }
    expect(hidden.replies).toEqual([])
    expect((await s.alice.app.bsky.feed.getQuotes({ uri: p.bobImage.uri })).data.posts).toEqual([])
    const quote = (await s.alice.getPosts({ uris: [p.carolQuote.uri, p.bobImage.uri] })).data.posts
    expect((quote[0].embed as { record: { $type: string } }).record.$type).toBe('app.bsky.embed.record#viewDetached')
    expect(quote[1].viewer?.embeddingDisabled).toBe(true)
    await s.bob.app.bsky.feed.threadgate.delete({ repo: s.did.bob, rkey: rkey(p.bobImage.uri) })
    await s.bob.app.bsky.feed.postgate.delete({ repo: s.did.bob, rkey: rkey(p.bobImage.uri) })
    await st.synced()
    expect((await s.alice.app.bsky.feed.getQuotes({ uri: p.bobImage.uri })).data.posts.length).toBe(1)
  })

  it('handle changes are verified both ways before they show', async (t) => {
    const st = ready(t)
    await s.alice.updateHandle({ handle: 'alice2.test' })
    await st.synced()
    const prof = (await s.bob.getProfile({ actor: 'alice2.test' })).data
    expect([prof.did, prof.handle]).toEqual([s.did.alice, 'alice2.test'])
    await expect(s.bob.getProfile({ actor: 'alice.test' })).rejects.toThrow(/not found/i)
  })

  it('deactivated accounts disappear until reactivated; taken-down accounts disappear', async (t) => {
    const st = ready(t)
    await s.carol.com.atproto.server.deactivateAccount({})
    await st.synced()
    await expect(s.alice.getProfile({ actor: s.did.carol })).rejects.toMatchObject({ error: 'AccountDeactivated' })
    const feed = (await s.alice.getTimeline({})).data.feed
    expect(feed.every((f) => f.post.author.did !== s.did.carol && !f.reason)).toBe(true)
    await s.carol.com.atproto.server.activateAccount()
    await st.synced()
    expect((await s.alice.getProfile({ actor: s.did.carol })).data.did).toBe(s.did.carol)
    await st.network.pds.getClient().com.atproto.admin.updateSubjectStatus(
      {
        subject: { $type: 'com.atproto.admin.defs#repoRef', did: s.did.carol },
        takedown: { applied: true, ref: 'test' },
      },
      { encoding: 'application/json', headers: { authorization: `Basic ${btoa(`admin:${ADMIN_PASSWORD}`)}` } },
    )
    await st.synced()
    await expect(s.alice.getProfile({ actor: s.did.carol })).rejects.toMatchObject({ error: 'AccountTakedown' })
    expect((await s.alice.getFollows({ actor: s.did.alice })).data.follows.map((f) => f.did)).toEqual([s.did.bob])
  })

  it('service auth: refuses missing, mis-addressed, wrong-method and forged tokens', async (t) => {
    const st = ready(t)
    const av = st.appview
    const call = (nsid: string, token?: string) =>
      fetch(`${av.url}/xrpc/${nsid}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
    const mint = async (aud: string, lxm: string) =>
      (await s.bob.com.atproto.server.getServiceAuth({ aud, lxm })).data.token
    expect((await call('app.bsky.feed.getTimeline')).status).toBe(401)
    const ok = await call('app.bsky.feed.getTimeline', await mint(av.did, 'app.bsky.feed.getTimeline'))
    expect(ok.status).toBe(200)
    const wrongAud = await call(
      'app.bsky.feed.getTimeline',
      await mint('did:web:elsewhere.example', 'app.bsky.feed.getTimeline'),
    )
    expect([wrongAud.status, ((await wrongAud.json()) as { error: string }).error]).toEqual([401, 'BadJwtAudience'])
    const wrongLxm = await call('app.bsky.feed.getTimeline', await mint(av.did, 'app.bsky.feed.getPosts'))
    expect([wrongLxm.status, ((await wrongLxm.json()) as { error: string }).error]).toEqual([
      401,
      'BadJwtLexiconMethod',
    ])
    const forged = createServiceJwt({
      iss: s.did.bob,
      aud: av.did,
      lxm: 'app.bsky.feed.getTimeline',
      keypair: Secp256k1Keypair.create(),
    })
    const bad = await call('app.bsky.feed.getTimeline', forged)
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([401, 'BadJwtSignature'])
    // Anonymous reads of public views work.
    expect((await call(`app.bsky.actor.getProfile?actor=${s.did.bob}`)).status).toBe(200)
  })
})
