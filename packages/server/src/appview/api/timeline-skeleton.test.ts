import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestPostgres } from '../../db/test-util.ts'
import type { AppViewContext } from '../context.ts'
import { type AppViewDb, openAppViewDb, wrapAppViewDb } from '../db/index.ts'
import { Hydrator } from '../hydration/hydrator.ts'
import { prng } from '../../../../core/src/data/test-util.ts'
import { type SkeletonRow, timelineSkeleton } from './timeline-skeleton.ts'

const did = (i: number) => `did:plc:skel${String(i).padStart(20, '0')}`

/**
 * Accounts with very different activity (some silent, some prolific, some posting in bursts with equal
 * timestamps), repeated follow records and a self-follow: every page must equal the naive answer (all items
 * of the viewer and its followees, sorted, cut).
 */
function suite(name: string, open: () => Promise<AppViewDb | undefined>) {
  describe(`timeline skeleton (${name})`, () => {
    let db: AppViewDb | undefined
    const follows = new Map<string, Set<string>>()
    const items: SkeletonRow[] = []
    beforeAll(async () => {
      db = await open()
      if (!db) return
      const rnd = prng(7)
      const accounts = 60
      const feed: SkeletonRow[] = []
      for (let i = 0; i < accounts; i++) {
        const n = i % 7 === 0 ? 0 : i % 5 === 0 ? 300 : Math.floor(rnd() * 40)
        for (let k = 0; k < n; k++) {
          // bursts: a third of the items share a timestamp with the previous one
          const t =
            k > 0 && rnd() < 0.33
              ? feed[feed.length - 1].sort_at
              : new Date(1.7e12 + Math.floor(rnd() * 1e9)).toISOString()
          const repost = rnd() < 0.2
          const uri = `at://${did(i)}/app.bsky.feed.${repost ? 'repost' : 'post'}/k${k}`
          feed.push({
            uri,
            type: repost ? 'repost' : 'post',
            post_uri: repost ? `at://x/p/${k}` : uri,
            originator: did(i),
            sort_at: t,
          })
        }
      }
      items.push(...feed)
      for (let i = 0; i < feed.length; i += 500)
        await db.db
          .insertInto('feed_item')
          .values(feed.slice(i, i + 500))
          .execute()
      const rows = []
      for (let v = 0; v < 6; v++) {
        const set = new Set<string>()
        const count = [0, 1, 3, 25, 59, 59][v]
        for (let k = 0; k < count; k++) {
          const subject = did(v === 5 ? k + 1 : Math.floor(rnd() * accounts))
          set.add(subject)
          rows.push({ uri: `at://${did(v)}/app.bsky.graph.follow/f${k}`, subject })
          // a second follow record of the same account
          if (k % 4 === 0) rows.push({ uri: `at://${did(v)}/app.bsky.graph.follow/g${k}`, subject })
        }
        if (v === 4) rows.push({ uri: `at://${did(v)}/app.bsky.graph.follow/self`, subject: did(v) })
        follows.set(did(v), set)
      }
      const t = '2024-01-01T00:00:00.000Z'
      await db.db
        .insertInto('follow')
        .values(
          rows.map((r) => ({
            uri: r.uri,
            cid: 'bafy',
            creator: r.uri.slice(5, r.uri.indexOf('/', 5)),
            subject: r.subject,
            created_at: t,
            indexed_at: t,
            sort_at: t,
          })),
        )
        .execute()
    })
    afterAll(() => db?.close())

    it('pages exactly like sorting everything', async (ctx) => {
      if (!db) return ctx.skip()
      const app = { hydrator: new Hydrator(db) } as unknown as AppViewContext
      const newestFirst = (a: SkeletonRow, b: SkeletonRow) =>
        a.sort_at === b.sort_at ? (a.uri < b.uri ? 1 : a.uri > b.uri ? -1 : 0) : a.sort_at < b.sort_at ? 1 : -1
      for (const [viewer, set] of follows) {
        const authors = new Set([viewer, ...set])
        const all = items.filter((i) => authors.has(i.originator)).sort(newestFirst)
        for (const limit of [1, 7, 50, 100]) {
          let cursor: { sortAt: string; uri: string } | undefined
          let seen = 0
          for (let page = 0; page < 40; page++) {
            const got = await timelineSkeleton(app, viewer, cursor, limit)
            expect(got).toEqual(all.slice(seen, seen + limit))
            seen += got.length
            const last = got[got.length - 1]
            if (got.length < limit || !last) break
            cursor = { sortAt: last.sort_at, uri: last.uri }
          }
          expect(seen).toBe(Math.min(all.length, 40 * limit))
        }
      }
    })
  })
}

suite('sqlite', () => openAppViewDb('sqlite::memory:'))
suite('postgres', async () => {
  const database = await openTestPostgres('appviewskeleton')
  return database ? wrapAppViewDb(database) : undefined
})
