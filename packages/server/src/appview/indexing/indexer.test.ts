import { cidForCbor, encodeCbor } from '@stratus/core/data'
import type { RecordEvent, SyncEvent } from '@stratus/core/sync'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestPostgres } from '../../db/test-util.ts'
import { loadBundledLexicons } from '../../lexicons/index.ts'
import { type AppViewDb, openAppViewDb, wrapAppViewDb } from '../db/index.ts'
import { DbSyncStore } from '../ingest/store.ts'
import { Indexer, PLUGINS } from './index.ts'

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const DIDS = [
  'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa',
  'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb',
  'did:plc:cccccccccccccccccccccccc',
  'did:plc:dddddddddddddddddddddddd',
]
const T = '2024-01-01T00:00:00.000Z'

function ev(
  type: 'create' | 'update' | 'delete',
  did: string,
  collection: string,
  rkey: string,
  record?: Record<string, unknown>,
): RecordEvent {
  const base = {
    did,
    collection,
    rkey,
    uri: `at://${did}/${collection}/${rkey}`,
    rev: rkey,
    source: 'firehose' as const,
  }
  if (type === 'delete') return { type, ...base }
  return { type, ...base, record: record as never, cid: cidForCbor(encodeCbor(record)) }
}

/** A random workload over a few accounts plus the model of what is live at the end. */
function workload(seed: number, steps: number) {
  const rnd = prng(seed)
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]
  const live = new Map<string, RecordEvent>()
  const events: SyncEvent[] = DIDS.map((did, i) => ({ type: 'identity', did, handle: `u${i}.test` }))
  let n = 0
  const posts = () => [...live.values()].filter((e) => e.collection === 'app.bsky.feed.post')
  for (let i = 0; i < steps; i++) {
    const did = pick(DIDS)
    const r = rnd()
    let e: RecordEvent
    if (r < 0.25 || posts().length === 0) {
      const rec: Record<string, unknown> = { $type: 'app.bsky.feed.post', text: `post ${n}`, createdAt: T }
      const ps = posts()
      if (ps.length && rnd() < 0.4) {
        const parent = pick(ps)
        rec.reply = {
          root: { uri: parent.uri, cid: String(parent.cid) },
          parent: { uri: parent.uri, cid: String(parent.cid) },
        }
      } else if (ps.length && rnd() < 0.3) {
        const q = pick(ps)
        rec.embed = { $type: 'app.bsky.embed.record', record: { uri: q.uri, cid: String(q.cid) } }
      }
      e = ev('create', did, 'app.bsky.feed.post', `3k${String(n++).padStart(11, 'a')}`, rec)
    } else if (r < 0.65) {
      const subject = pick(posts())
      const coll = rnd() < 0.6 ? 'app.bsky.feed.like' : 'app.bsky.feed.repost'
      e = ev('create', did, coll, `3k${String(n++).padStart(11, 'a')}`, {
        $type: coll,
        subject: { uri: subject.uri, cid: String(subject.cid) },
        createdAt: T,
      })
    } else if (r < 0.8) {
      e = ev('create', did, 'app.bsky.graph.follow', `3k${String(n++).padStart(11, 'a')}`, {
        $type: 'app.bsky.graph.follow',
        subject: pick(DIDS),
        createdAt: T,
      })
    } else {
      const victim = pick([...live.values()])
      e = ev('delete', victim.did, victim.collection, victim.rkey)
    }
    if (e.type === 'delete') live.delete(e.uri)
    else live.set(e.uri, e)
    events.push(e)
  }
  return { events, live, rnd }
}

async function counts(db: AppViewDb) {
  const rec = await db.db.selectFrom('record_agg').selectAll().execute()
  const act = await db.db.selectFrom('actor_agg').selectAll().execute()
  const r = new Map(rec.map((x) => [x.uri, [x.like_count, x.repost_count, x.reply_count, x.quote_count].map(Number)]))
  const a = new Map(act.map((x) => [x.did, [x.followers_count, x.follows_count, x.posts_count].map(Number)]))
  return { r, a }
}

/** Counts the model says, for every subject that ever had a row. */
function expected(live: Map<string, RecordEvent>, got: Awaited<ReturnType<typeof counts>>) {
  const vals = [...live.values()]
  const distinct = (coll: string, uri: string) =>
    new Set(
      vals
        .filter((e) => e.collection === coll && (e.record as { subject: { uri: string } }).subject.uri === uri)
        .map((e) => e.did),
    ).size
  const posts = vals.filter((e) => e.collection === 'app.bsky.feed.post')
  const r = new Map<string, number[]>()
  for (const uri of got.r.keys()) {
    r.set(uri, [
      distinct('app.bsky.feed.like', uri),
      distinct('app.bsky.feed.repost', uri),
      posts.filter((p) => (p.record as { reply?: { parent: { uri: string } } }).reply?.parent.uri === uri).length,
      posts.filter((p) => (p.record as { embed?: { record: { uri: string } } }).embed?.record.uri === uri).length,
    ])
  }
  const follows = vals.filter((e) => e.collection === 'app.bsky.graph.follow')
  const a = new Map<string, number[]>()
  for (const did of got.a.keys()) {
    a.set(did, [
      new Set(follows.filter((f) => (f.record as { subject: string }).subject === did).map((f) => f.did)).size,
      new Set(follows.filter((f) => f.did === did).map((f) => (f.record as { subject: string }).subject)).size,
      posts.filter((p) => p.did === did).length,
    ])
  }
  return { r, a }
}

function suite(name: string, open: () => Promise<AppViewDb | undefined>) {
  describe.skipIf(false)(`indexer (${name})`, () => {
    let db: AppViewDb | undefined
    beforeAll(async () => {
      db = await open()
    })
    afterAll(async () => {
      await db?.close()
    })

    // Small batches, and batches big enough for multi-row inserts (db/prepared.ts runMany).
    for (const [steps, maxBatch] of [
      [300, 20],
      [1500, 400],
    ])
      it(`keeps every count exact under random creates, deletes and replayed batches (${steps} events, batches ≤ ${maxBatch})`, async (t) => {
        if (!db) return t.skip()
        const indexer = new Indexer(db, { plugins: PLUGINS, lexicons: loadBundledLexicons() })
        const { events, live, rnd } = workload(name.length * 7919 + steps, steps)
        // Deliver in batches; after some batches replay an earlier stretch (at-least-once delivery).
        let i = 0
        while (i < events.length) {
          const size = 1 + Math.floor(rnd() * maxBatch)
          await indexer.apply(events.slice(i, i + size))
          if (rnd() < 0.3) {
            const from = Math.max(0, i - Math.floor(rnd() * 40))
            // Replaying a suffix that ends where we are reproduces the same final state.
            await indexer.apply(events.slice(from, i + size))
          }
          i += size
        }
        const got = await counts(db)
        expect(got).toEqual(expected(live, got))
        const recordRows = await db.db.selectFrom('record').select('uri').execute()
        expect(new Set(recordRows.map((r) => r.uri))).toEqual(new Set(live.keys()))
        if (db.dialect === 'sqlite') {
          // every post's full-text row, keyed by its rowid (written after the post, in the same flush)
          const { rows } = await sql<{ n: number; m: number }>`
          select (select count(*) from post) as n,
            (select count(*) from post p join post_fts f on f.rowid = p.rowid where f.text = p.text) as m`.execute(
            db.db,
          )
          expect(rows[0].m).toBe(rows[0].n)
        }
        // Deleting everything brings every count back to zero and leaves no rows behind.
        await indexer.apply([...live.values()].map((e) => ev('delete', e.did, e.collection, e.rkey)))
        const after = await counts(db)
        for (const v of [...after.r.values(), ...after.a.values()]) expect(v.every((x) => x === 0)).toBe(true)
        for (const table of ['post', 'like', 'repost', 'follow', 'feed_item', 'notification', 'record'] as const) {
          const rows = await db.db
            .selectFrom(table)
            .select(db.db.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
          expect([table, Number(rows.n)]).toEqual([table, 0])
        }
      })

    it('an update replaces exactly what the create did; invalid records are not indexed', async (t) => {
      if (!db) return t.skip()
      const indexer = new Indexer(db, { plugins: PLUGINS, lexicons: loadBundledLexicons() })
      const [a, b] = DIDS
      const target = ev('create', b, 'app.bsky.feed.post', '3kzzzzzzzzzz1', {
        $type: 'app.bsky.feed.post',
        text: 'target',
        createdAt: T,
      })
      const other = ev('create', b, 'app.bsky.feed.post', '3kzzzzzzzzzz2', {
        $type: 'app.bsky.feed.post',
        text: 'other',
        createdAt: T,
      })
      const like = (subject: RecordEvent) =>
        ev('update', a, 'app.bsky.feed.like', '3kzzzzzzzzzz3', {
          $type: 'app.bsky.feed.like',
          subject: { uri: subject.uri, cid: String(subject.cid) },
          createdAt: T,
        })
      await indexer.apply([target, other, { ...like(target), type: 'create' }])
      await indexer.apply([like(other)])
      const agg = await db.db
        .selectFrom('record_agg')
        .select(['uri', 'like_count'])
        .where('uri', 'in', [target.uri, other.uri])
        .execute()
      expect(Object.fromEntries(agg.map((r) => [r.uri, Number(r.like_count)]))).toEqual({
        [target.uri]: 0,
        [other.uri]: 1,
      })
      const notes = await db.db
        .selectFrom('notification')
        .select('reason_subject')
        .where('reason', '=', 'like')
        .execute()
      expect(notes.map((n) => n.reason_subject)).toEqual([other.uri])
      // An invalid update (text is not a string) removes the old version and indexes nothing.
      await indexer.apply([
        ev('update', b, 'app.bsky.feed.post', '3kzzzzzzzzzz2', { $type: 'app.bsky.feed.post', text: 5, createdAt: T }),
      ])
      const left = await db.db.selectFrom('post').select('uri').where('uri', '=', other.uri).execute()
      expect(left).toEqual([])
    })

    it("an account's records are exactly its own (listed for resyncs, removed when it is deleted)", async (t) => {
      if (!db) return t.skip()
      const indexer = new Indexer(db, { plugins: PLUGINS, lexicons: loadBundledLexicons() })
      // DIDs sharing prefixes: a DID's records must not be confused with a longer DID's.
      const [x, y, z] = ['did:web:acct.test', 'did:web:acct.test0', 'did:web:acct.tes']
      const post = (did: string, rkey: string) =>
        ev('create', did, 'app.bsky.feed.post', rkey, { $type: 'app.bsky.feed.post', text: rkey, createdAt: T })
      const posts = [
        post(x, '3kyyyyyyyyyy1'),
        post(x, '3kyyyyyyyyyy2'),
        post(y, '3kyyyyyyyyyy3'),
        post(z, '3kyyyyyyyyyy4'),
      ]
      const like = ev('create', y, 'app.bsky.feed.like', '3kyyyyyyyyyy5', {
        $type: 'app.bsky.feed.like',
        subject: { uri: posts[0].uri, cid: String(posts[0].cid) },
        createdAt: T,
      })
      await indexer.apply([...posts, like])
      const store = new DbSyncStore(db.db, 'accounts-test')
      const listed = await store.listRecords(x)
      expect([...listed.keys()].sort()).toEqual([
        'app.bsky.feed.post/3kyyyyyyyyyy1',
        'app.bsky.feed.post/3kyyyyyyyyyy2',
      ])
      expect(listed.get('app.bsky.feed.post/3kyyyyyyyyyy1')).toBe(String(posts[0].cid))
      expect([...(await store.listRecords(y)).keys()].sort()).toEqual([
        'app.bsky.feed.like/3kyyyyyyyyyy5',
        'app.bsky.feed.post/3kyyyyyyyyyy3',
      ])
      await indexer.apply([{ type: 'account', did: x, active: false, status: 'deleted' }])
      const uris = async (did: string) =>
        (await db!.db.selectFrom('record').select('uri').where('did', '=', did).execute()).map((r) => r.uri).sort()
      expect(await uris(x)).toEqual([])
      expect(await uris(y)).toEqual([posts[2].uri, like.uri].sort())
      expect(await uris(z)).toEqual([posts[3].uri])
      const xPosts = await db.db.selectFrom('post').select('uri').where('creator', '=', x).execute()
      expect(xPosts).toEqual([])
    })
  })
}

suite('sqlite', () => openAppViewDb('sqlite::memory:'))
suite('postgres', async () => {
  const database = await openTestPostgres('appviewindexer')
  return database ? wrapAppViewDb(database) : undefined
})
