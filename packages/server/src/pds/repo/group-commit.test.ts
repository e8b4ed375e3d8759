/**
 * Group commit (group-commit.ts): writes queued in one turn share a transaction but each is its own commit
 * (chained prev → cid, increasing revs, one #commit event each, in order); a failing write undoes only
 * itself; every write is visible to another connection once it resolved.
 */
import BetterSqlite3 from 'better-sqlite3'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestPds, startTestPds } from '../test-util.ts'
import { prepareRecordWrite } from './prepare.ts'
import { newAccount } from './test-helpers.ts'

let t: TestPds
let did: string

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  did = (await newAccount(t, 'grouped')).did
})
afterAll(async () => {
  await t?.close()
})

const post = (text: string, rkey?: string) =>
  prepareRecordWrite(t.pds.ctx.lexicons, {
    action: 'create',
    collection: 'app.bsky.feed.post',
    rkey,
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
  })

describe('group commit', () => {
  it('writes of one turn: one commit each, chained, in order; a failure undoes only itself', async () => {
    const repo = t.pds.ctx.repo
    if (!repo) throw new Error('no repo')
    const db = t.pds.ctx.db
    const seq0 = t.pds.ctx.sequencer?.currentSeq() ?? 0
    let txns = 0
    const inOne: boolean[] = []
    const job = (text: string, rkey?: string) => () => {
      inOne.push(db.sqlite.inTransaction)
      return repo.processWrites(did, [post(text, rkey)])
    }
    const taken = post('first', '3kzzzzzzzzz22')
    const first = await repo.write(() => repo.processWrites(did, [taken])) // runs at once; the turn stays open
    const commits0 = db.sqlite.prepare('SELECT count(*) AS n FROM repo_event').get() as { n: number }
    // Counts outermost transactions while the group runs.
    const original = db.transact.bind(db)
    db.transact = ((fn: () => unknown) => {
      if (!db.sqlite.inTransaction) txns++
      return original(fn)
    }) as typeof db.transact
    const results = await Promise.allSettled([
      repo.write(job('a')),
      repo.write(job('b')),
      repo.write(job('dup', '3kzzzzzzzzz22')), // the key exists: refused
      repo.write(job('c')),
    ])
    db.transact = original
    expect(txns).toBe(1)
    expect(inOne).toEqual([true, true, true, true])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    expect(done[0].prev?.equals(first.cid)).toBe(true)
    expect(done[1].prev?.equals(done[0].cid)).toBe(true)
    expect(done[2].prev?.equals(done[1].cid)).toBe(true)
    expect(done[0].rev < done[1].rev && done[1].rev < done[2].rev).toBe(true)
    expect(repo.getRoot(did)?.cid.equals(done[2].cid)).toBe(true)
    // One #commit per successful write, in order, after the first write's.
    const events = db.sqlite.prepare('SELECT seq, type FROM repo_event WHERE seq > ? ORDER BY seq').all(seq0) as {
      seq: number
      type: string
    }[]
    expect(events.map((e) => e.type)).toEqual(['commit', 'commit', 'commit', 'commit'])
    expect((db.sqlite.prepare('SELECT count(*) AS n FROM repo_event').get() as { n: number }).n).toBe(commits0.n + 3)
    // Visible to another connection once resolved (committed, not just inside an open transaction).
    const other = new BetterSqlite3(join(t.dataDir, 'pds.sqlite'), { readonly: true })
    try {
      const n = other.prepare('SELECT count(*) AS n FROM record WHERE did = ?').get(did) as { n: number }
      expect(n.n).toBe(4)
    } finally {
      other.close()
    }
  })

  it('the first write of a turn runs at once, in its own transaction, and throws its own error', async () => {
    const repo = t.pds.ctx.repo
    if (!repo) throw new Error('no repo')
    await new Promise((r) => setImmediate(r)) // a new event-loop turn
    expect(() => repo.write(() => repo.processWrites(did, [post('again', '3kzzzzzzzzz22')]))).toThrow(/already exists/)
    expect(t.pds.ctx.db.sqlite.inTransaction).toBe(false)
    await new Promise((r) => setImmediate(r))
    const ok = repo.write(() => repo.processWrites(did, [post('fine')]))
    if (ok instanceof Promise) throw new Error('a lone write should not wait')
    expect(repo.getRoot(did)?.cid.equals(ok.cid)).toBe(true)
    // A second write in the same turn joins the turn's group instead.
    const next = repo.write(() => repo.processWrites(did, [post('grouped')]))
    expect(next).toBeInstanceOf(Promise)
    expect((await next).prev?.equals(ok.cid)).toBe(true)
  })
})
