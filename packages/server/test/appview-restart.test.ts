/**
 * Restarting the AppView mid-stream (SQLite and PostgreSQL): it resumes from its stored cursor, and what
 * it ends up with is exactly what a fresh AppView indexing the whole stream from the start has — nothing
 * missing, nothing doubled (rows, counts and notifications compared table by table).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type AppView, startAppView } from '../src/appview/index.ts'
import { type DbKind, type Stack, dropPgSchema, freePort, startStack, testDbUrl } from './appview-setup.ts'

const dir = mkdtempSync(join(tmpdir(), 'appview-restart-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function dump(av: AppView): Promise<Record<string, unknown[]>> {
  const db = av.ctx.db
  return {
    posts: (await db.selectFrom('post').select(['uri', 'cid', 'reply_parent']).orderBy('uri').execute()).map((r) => ({
      ...r,
    })),
    likes: await db.selectFrom('like').select(['uri', 'subject']).orderBy('uri').execute(),
    follows: await db.selectFrom('follow').select(['uri', 'subject']).orderBy('uri').execute(),
    feedItems: await db.selectFrom('feed_item').select(['uri', 'post_uri']).orderBy('uri').execute(),
    records: await db.selectFrom('record').select(['uri', 'cid']).orderBy('uri').execute(),
    notifications: await db
      .selectFrom('notification')
      .select(['recipient', 'record_uri', 'reason'])
      .orderBy('record_uri')
      .orderBy('recipient')
      .orderBy('reason')
      .execute(),
    recordAgg: (await db.selectFrom('record_agg').selectAll().orderBy('uri').execute())
      .map((r) => ({
        ...r,
        like_count: Number(r.like_count),
        repost_count: Number(r.repost_count),
        reply_count: Number(r.reply_count),
        quote_count: Number(r.quote_count),
      }))
      .filter((r) => r.like_count + r.repost_count + r.reply_count + r.quote_count > 0),
    actorAgg: (await db.selectFrom('actor_agg').selectAll().orderBy('did').execute()).map((r) => ({
      ...r,
      followers_count: Number(r.followers_count),
      follows_count: Number(r.follows_count),
      posts_count: Number(r.posts_count),
    })),
  }
}

describe.each(['sqlite', 'postgres'] as DbKind[])('AppView restart (%s)', (kind) => {
  const urls: string[] = []
  let stack: Stack | undefined
  let fresh: AppView | undefined

  afterAll(async () => {
    await fresh?.close()
    await stack?.close()
    if (kind === 'postgres') for (const u of urls) await dropPgSchema(u)
  })

  it('resumes from its cursor; ends identical to a from-scratch index', async (t) => {
    const dbUrl = await testDbUrl(kind, 'restart', dir)
    const freshUrl = await testDbUrl(kind, 'restartfresh', dir)
    if (!dbUrl || !freshUrl) return t.skip()
    urls.push(dbUrl, freshUrl)
    stack = await startStack(dbUrl)
    const st = stack
    const alice = st.agent()
    await alice.createAccount({ email: 'a@test.com', handle: 'alice.test', password: 'hunter2' })
    const bob = st.agent()
    await bob.createAccount({ email: 'b@test.com', handle: 'bob.test', password: 'hunter2' })
    await alice.follow(bob.assertDid)
    const N = 24
    const written: string[] = []
    const replies: string[] = []
    // A writer that keeps going while the AppView goes down and comes back.
    const writer = (async () => {
      for (let i = 0; i < N; i++) {
        const p = await bob.post({ text: `post number ${i}` })
        written.push(p.uri)
        await alice.like(p.uri, p.cid)
        if (i % 3 === 0) replies.push((await alice.post({ text: `reply ${i}`, reply: { root: p, parent: p } })).uri)
        if (i === 20) await alice.deletePost(replies[1])
      }
    })()
    while (written.length < 8) await new Promise((r) => setTimeout(r, 10))
    await st.appview.close()
    const stored = await (async () => {
      const { openAppViewDb } = await import('../src/appview/db/index.ts')
      const db = await openAppViewDb(dbUrl)
      const row = await db.db.selectFrom('sync_cursor').select('value').executeTakeFirst()
      await db.close()
      return Number(row?.value)
    })()
    expect(stored).toBeGreaterThan(0)
    while (written.length < 16) await new Promise((r) => setTimeout(r, 10))
    const restarted = await st.startAppView()
    await writer
    await st.synced()
    const last = (await st.network.pds.ctx.sequencer.curr()) ?? 0
    // Resumed: it read only what came after its stored cursor.
    expect(restarted.sync?.stats.messages).toBeLessThanOrEqual(last - stored)

    fresh = await startAppView({
      port: await freePort(),
      dbUrl: freshUrl,
      relay: st.network.pds.url,
      plcUrl: st.network.plc.url,
      devMode: true,
      logLevel: 'silent',
      initialCursor: 0,
      resolveHandle: async (h) => (h === 'alice.test' ? alice.assertDid : h === 'bob.test' ? bob.assertDid : undefined),
    })
    const deadline = Date.now() + 30_000
    while ((fresh.sync?.cursor ?? 0) < last && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await fresh.sync?.idle()

    const a = await dump(restarted)
    const b = await dump(fresh)
    expect(a).toEqual(b)
    expect(a.posts.length).toBe(N + N / 3 - 1) // bob's posts + alice's replies − the deleted one
    expect(a.likes.length).toBe(N)
    const bobAgg = a.actorAgg.find((r) => (r as { did: string }).did === bob.assertDid) as {
      posts_count: number
      followers_count: number
    }
    expect([bobAgg.posts_count, bobAgg.followers_count]).toEqual([N, 1])
    const bobNotes = a.notifications.filter((n) => (n as { recipient: string }).recipient === bob.assertDid)
    expect(bobNotes.length).toBe(1 + N + N / 3 - 1) // follow + likes + replies (one reply deleted)
    const feed = (await alice.getTimeline({ limit: 100 })).data.feed.map((f) => f.post.uri)
    expect(new Set(feed).size).toBe(feed.length)
    expect(feed.length).toBe(N + N / 3 - 1)
  })
})
