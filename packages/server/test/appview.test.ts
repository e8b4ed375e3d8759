/**
 * The AppView end to end, on SQLite and PostgreSQL: three accounts on the official PDS (which proxies
 * app.bsky.* to our AppView with service-auth tokens) follow, post, reply, quote, like and repost; every
 * view returns exactly the expected items, counts and viewer state, and validates against its lexicon.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DbKind, type Stack, dropPgSchema, startStack, testDbUrl } from './appview-setup.ts'
import { type Scenario, runScenario } from './appview-scenario.ts'

const dir = mkdtempSync(join(tmpdir(), 'appview-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.each(['sqlite', 'postgres'] as DbKind[])('AppView views (%s)', (kind) => {
  let stack: Stack | undefined
  let s: Scenario
  let dbUrl: string | undefined

  beforeAll(async () => {
    dbUrl = await testDbUrl(kind, 'views', dir)
    if (!dbUrl) return
    stack = await startStack(dbUrl)
    s = await runScenario(stack)
  }, 120_000)

  afterAll(async () => {
    await stack?.close()
    if (dbUrl && kind === 'postgres') await dropPgSchema(dbUrl)
  })

  const ready = (t: { skip: () => void }) => {
    if (!stack) t.skip()
    return stack as Stack
  }

  it('profiles: counts, associated, viewer state both ways', async (t) => {
    ready(t)
    const bob = (await s.alice.getProfile({ actor: 'bob.test' })).data
    expect(bob).toMatchObject({ did: s.did.bob, handle: 'bob.test', displayName: 'Bob', description: 'I am bob' })
    expect([bob.followersCount, bob.followsCount, bob.postsCount]).toEqual([2, 1, 1])
    expect(bob.viewer).toEqual({
      muted: false,
      blockedBy: false,
      following: s.follows.aliceBob.uri,
      followedBy: s.follows.bobAlice.uri,
    })
    const alice = (await s.bob.getProfile({ actor: s.did.alice })).data
    expect([alice.followersCount, alice.followsCount, alice.postsCount]).toEqual([2, 2, 2])
    const many = (await s.carol.getProfiles({ actors: ['alice.test', s.did.bob, 'carol.test', 'nobody.test'] })).data
    expect(many.profiles.map((p) => p.handle)).toEqual(['alice.test', 'bob.test', 'carol.test'])
    expect(many.profiles[2].viewer).toEqual({ muted: false, blockedBy: false })
    await expect(s.alice.getProfile({ actor: 'nobody.test' })).rejects.toThrow(/not found/i)
  })

  it('timeline: followed accounts and self, newest first, with reposts, reply refs and viewer state', async (t) => {
    ready(t)
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
    expect(image.viewer).toMatchObject({ like: s.likes.aliceOnBob.uri })
    expect(image.viewer?.repost).toBeUndefined()
    expect(image.embed?.$type).toBe('app.bsky.embed.images#view')
    expect((feed[0].reason as { by: { did: string } }).by.did).toBe(s.did.carol)
    expect(feed[0].reason).toMatchObject({ uri: s.reposts.carolOfBob.uri, cid: s.reposts.carolOfBob.cid })
    const reply = feed[2].reply
    expect([
      (reply?.root as { uri?: string } | undefined)?.uri,
      (reply?.parent as { uri?: string } | undefined)?.uri,
    ]).toEqual([p.bobImage.uri, p.aliceReply.uri])
    const quote = feed[1].post.embed as {
      $type: string
      record: { $type: string; uri: string; embeds?: { $type: string }[] }
    }
    expect(quote.$type).toBe('app.bsky.embed.record#view')
    expect([quote.record.$type, quote.record.uri]).toEqual(['app.bsky.embed.record#viewRecord', p.bobImage.uri])
    expect(quote.record.embeds?.map((e) => e.$type)).toEqual(['app.bsky.embed.images#view'])
    // Paging gives the same items.
    const first = (await s.alice.getTimeline({ limit: 3 })).data
    const rest = (await s.alice.getTimeline({ limit: 50, cursor: first.cursor })).data
    expect([...first.feed, ...rest.feed].map((f) => f.post.uri)).toEqual(feed.map((f) => f.post.uri))
    // Bob follows only alice: his own post, alice's posts.
    const bobFeed = (await s.bob.getTimeline({})).data.feed.map((f) => f.post.uri)
    expect(bobFeed).toEqual([p.aliceReply.uri, p.aliceMention.uri, p.bobImage.uri])
  })

  it('thread: replies nested, parents, counts', async (t) => {
    ready(t)
    const { posts: p } = s
    const thread = (await s.alice.getPostThread({ uri: p.bobImage.uri })).data.thread as ThreadNode
    expect(thread.post.uri).toBe(p.bobImage.uri)
    expect(thread.replies?.map((r) => r.post.uri)).toEqual([p.aliceReply.uri])
    expect(thread.replies?.[0].replies?.map((r) => r.post.uri)).toEqual([p.carolReply.uri])
    const leaf = (await s.bob.getPostThread({ uri: p.carolReply.uri })).data.thread as ThreadNode
    expect([leaf.parent?.post.uri, leaf.parent?.parent?.post.uri]).toEqual([p.aliceReply.uri, p.bobImage.uri])
    const shallow = (await s.bob.getPostThread({ uri: p.bobImage.uri, depth: 1 })).data.thread as ThreadNode
    expect(shallow.replies?.[0].replies).toBeUndefined()
    const noParents = (await s.bob.getPostThread({ uri: p.carolReply.uri, parentHeight: 0 })).data.thread as ThreadNode
    expect(noParents.parent).toBeUndefined()
    await expect(s.bob.getPostThread({ uri: `${p.bobImage.uri}x` })).rejects.toThrow(/not found/i)
  })

  it('posts, likes, reposts, quotes, actor likes', async (t) => {
    ready(t)
    const { posts: p } = s
    const got = (await s.carol.getPosts({ uris: [p.aliceMention.uri, p.bobImage.uri] })).data.posts
    expect(got.map((x) => [x.uri, x.likeCount, x.viewer?.like])).toEqual([
      [p.aliceMention.uri, 1, undefined],
      [p.bobImage.uri, 2, s.likes.carolOnBob.uri],
    ])
    const likes = (await s.bob.getLikes({ uri: p.bobImage.uri })).data.likes
    expect(likes.map((l) => l.actor.did).sort()).toEqual([s.did.alice, s.did.carol].sort())
    const reposts = (await s.bob.getRepostedBy({ uri: p.bobImage.uri })).data.repostedBy
    expect(reposts.map((a) => a.did)).toEqual([s.did.carol])
    const quotes = (await s.bob.app.bsky.feed.getQuotes({ uri: p.bobImage.uri })).data.posts
    expect(quotes.map((q) => q.uri)).toEqual([p.carolQuote.uri])
    const liked = (await s.alice.getActorLikes({ actor: s.did.alice })).data.feed
    expect(liked.map((f) => f.post.uri)).toEqual([p.bobImage.uri])
    await expect(s.bob.getActorLikes({ actor: s.did.alice })).rejects.toThrow()
  })

  it('author feeds with filters', async (t) => {
    ready(t)
    const { posts: p } = s
    const uris = async (actor: string, filter?: string) =>
      (await s.bob.getAuthorFeed({ actor, filter })).data.feed.map((f) => `${f.reason ? 'repost ' : ''}${f.post.uri}`)
    expect(await uris('carol.test')).toEqual([
      `repost ${p.bobImage.uri}`,
      p.carolQuote.uri,
      p.carolReply.uri,
      p.carolLink.uri,
    ])
    expect(await uris('carol.test', 'posts_no_replies')).toEqual([
      `repost ${p.bobImage.uri}`,
      p.carolQuote.uri,
      p.carolLink.uri,
    ])
    expect(await uris('bob.test', 'posts_with_media')).toEqual([p.bobImage.uri])
    expect(await uris('alice.test', 'posts_with_media')).toEqual([])
    expect(await uris('alice.test', 'posts_and_author_threads')).toEqual([p.aliceMention.uri])
  })

  it('search posts (full text, tag, author, mentions, domain) and actors', async (t) => {
    ready(t)
    const { posts: p } = s
    const search = async (params: Record<string, unknown>) =>
      (await s.alice.app.bsky.feed.searchPosts({ q: '', ...params } as never)).data.posts.map((x) => x.uri).sort()
    expect(await search({ q: 'cats' })).toEqual([p.bobImage.uri, p.aliceReply.uri].sort())
    expect(await search({ q: 'CATS', author: 'alice.test' })).toEqual([p.aliceReply.uri])
    expect(await search({ q: 'see', tag: ['stratus'] })).toEqual([p.carolLink.uri])
    expect(await search({ q: 'see', domain: 'example.com' })).toEqual([p.carolLink.uri])
    expect(await search({ q: 'hello', mentions: 'bob.test' })).toEqual([p.aliceMention.uri])
    expect(await search({ q: 'nothingmatches' })).toEqual([])
    const actors = (await s.alice.searchActors({ q: 'car' })).data.actors
    expect(actors.map((a) => a.did)).toEqual([s.did.carol])
    const typeahead = (await s.alice.searchActorsTypeahead({ q: 'Ali' })).data.actors
    expect(typeahead.map((a) => a.did)).toEqual([s.did.alice])
    const suggestions = (await s.bob.app.bsky.actor.getSuggestions({})).data.actors
    expect(suggestions.map((a) => a.did)).toEqual([s.did.carol])
  })

  it('graph: follows, followers, relationships, lists', async (t) => {
    ready(t)
    const follows = (await s.bob.getFollows({ actor: 'alice.test' })).data
    expect(follows.subject.did).toBe(s.did.alice)
    expect(follows.follows.map((a) => a.did)).toEqual([s.did.carol, s.did.bob])
    const followers = (await s.bob.getFollowers({ actor: 'alice.test' })).data
    expect(followers.followers.map((a) => a.did)).toEqual([s.did.carol, s.did.bob])
    const rel = (
      await s.bob.app.bsky.graph.getRelationships({ actor: s.did.alice, others: [s.did.bob, 'nobody.test'] })
    ).data
    expect(rel.relationships).toEqual([
      {
        $type: 'app.bsky.graph.defs#relationship',
        did: s.did.bob,
        following: s.follows.aliceBob.uri,
        followedBy: s.follows.bobAlice.uri,
      },
      { $type: 'app.bsky.graph.defs#notFoundActor', actor: 'nobody.test', notFound: true },
    ])
    const list = await s.alice.app.bsky.graph.list.create(
      { repo: s.did.alice },
      { purpose: 'app.bsky.graph.defs#curatelist', name: 'Friends', createdAt: new Date().toISOString() },
    )
    await s.alice.app.bsky.graph.listitem.create(
      { repo: s.did.alice },
      { list: list.uri, subject: s.did.bob, createdAt: new Date().toISOString() },
    )
    await stack?.synced()
    const lists = (await s.carol.app.bsky.graph.getLists({ actor: 'alice.test' })).data.lists
    expect(lists.map((l) => [l.uri, l.name, l.listItemCount])).toEqual([[list.uri, 'Friends', 1]])
    const got = (await s.carol.app.bsky.graph.getList({ list: list.uri })).data
    expect(got.items.map((i) => i.subject.did)).toEqual([s.did.bob])
  })

  it('notifications: every reason once, read state, updateSeen', async (t) => {
    ready(t)
    const list = (await s.bob.listNotifications({ limit: 50 })).data.notifications
    const got = list.map((n) => `${n.reason} ${n.author.handle} ${n.uri}`).sort()
    const { posts: p } = s
    expect(got).toEqual(
      [
        `follow alice.test ${s.follows.aliceBob.uri}`,
        `reply alice.test ${p.aliceReply.uri}`,
        `mention alice.test ${p.aliceMention.uri}`,
        `like alice.test ${s.likes.aliceOnBob.uri}`,
        `follow carol.test ${s.follows.carolBob.uri}`,
        `like carol.test ${s.likes.carolOnBob.uri}`,
        `repost carol.test ${s.reposts.carolOfBob.uri}`,
        `quote carol.test ${p.carolQuote.uri}`,
        `reply carol.test ${p.carolReply.uri}`,
      ].sort(),
    )
    expect(list.every((n) => n.isRead === false)).toBe(true)
    expect((await s.bob.countUnreadNotifications()).data.count).toBe(9)
    await s.bob.updateSeenNotifications(new Date().toISOString() as `${string}`)
    expect((await s.bob.countUnreadNotifications()).data.count).toBe(0)
    expect((await s.bob.listNotifications({})).data.notifications.every((n) => n.isRead)).toBe(true)
    const likesOnly = (await s.bob.listNotifications({ reasons: ['like'] } as never)).data.notifications
    expect(likesOnly.map((n) => n.author.did).sort()).toEqual([s.did.alice, s.did.carol].sort())
  })

  it('deleting and re-creating restores the same counts', async (t) => {
    const st = ready(t)
    const { posts: p } = s
    const counts = async () => {
      const post = (await s.carol.getPosts({ uris: [p.bobImage.uri] })).data.posts[0]
      const prof = (await s.carol.getProfile({ actor: s.did.bob })).data
      const notes = (await s.bob.listNotifications({ limit: 100 })).data.notifications.length
      return [post.likeCount, post.repostCount, post.replyCount, post.quoteCount, prof.followersCount, notes].map(
        Number,
      )
    }
    const before = await counts()
    await s.alice.deleteLike(s.likes.aliceOnBob.uri)
    await s.carol.deleteRepost(s.reposts.carolOfBob.uri)
    await s.alice.deleteFollow(s.follows.aliceBob.uri)
    await s.carol.deletePost(p.carolQuote.uri)
    await st.synced()
    expect(await counts()).toEqual([
      before[0] - 1,
      before[1] - 1,
      before[2],
      before[3] - 1,
      before[4] - 1,
      before[5] - 4,
    ])
    await s.alice.like(p.bobImage.uri, p.bobImage.cid)
    await s.carol.repost(p.bobImage.uri, p.bobImage.cid)
    await s.alice.follow(s.did.bob)
    await s.carol.post({ text: 'look at this again', embed: { $type: 'app.bsky.embed.record', record: p.bobImage } })
    await st.synced()
    expect(await counts()).toEqual(before)
    expect(st.invalid).toEqual([])
    expect(st.validated.count).toBeGreaterThan(40)
  })
})

interface ThreadNode {
  post: { uri: string }
  parent?: ThreadNode
  replies?: ThreadNode[]
}
