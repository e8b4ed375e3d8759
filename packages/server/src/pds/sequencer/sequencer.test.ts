import { Secp256k1Keypair } from '@stratus/core/crypto'
import { type CommitData, MemoryBlockStore, type RecordWrite, Repo } from '@stratus/core/repo'
import { XRPCError } from '@stratus/core/xrpc'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type PdsDatabase, openPdsDatabase } from '../db/index.ts'
import { FirehoseLimitError, MAX_COMMIT_OPS } from './events.ts'
import { Sequencer } from './sequencer.ts'
import { assertValidMessage, officialDecodeFrame, verifyCommitBody } from './test-oracle.ts'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

/** A repository in memory whose commits we sequence, as the write path will. */
class TestRepo {
  readonly key = Secp256k1Keypair.create()
  readonly store = new MemoryBlockStore()
  repo: Repo | undefined
  n = 0
  constructor(readonly did = DID) {}

  commit(writes: RecordWrite[]): CommitData {
    const data = this.repo
      ? this.repo.formatCommit(writes, this.key)
      : Repo.formatInit(this.store, this.did, this.key, writes)
    if (this.repo) this.repo = this.repo.applyCommit(data)
    else {
      this.store.applyCommit(data)
      this.repo = Repo.load(this.store)
    }
    return data
  }

  create(count = 1): CommitData {
    const writes: RecordWrite[] = []
    for (let i = 0; i < count; i++) {
      const rkey = `r${String(this.n++).padStart(6, '0')}`
      writes.push({
        action: 'create',
        collection: 'app.bsky.feed.post',
        rkey,
        record: { $type: 'app.bsky.feed.post', text: `post ${rkey}`, createdAt: '2024-01-01T00:00:00.000Z' },
      })
    }
    return this.commit(writes)
  }
}

async function collect(it: AsyncIterator<Uint8Array>, n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  while (out.length < n) {
    const r = await it.next()
    if (r.done) break
    out.push(r.value)
  }
  return out
}

const seqOf = (frame: Uint8Array): number => officialDecodeFrame(frame).body.seq

describe('sequencer', () => {
  let db: PdsDatabase
  let seq: Sequencer
  let now = Date.now()
  beforeEach(async () => {
    db = await openPdsDatabase({ url: 'sqlite::memory:' })
    now = Date.now()
    seq = new Sequencer(db, { now: () => now, retentionMs: 60_000 })
  })
  afterEach(async () => {
    seq.close()
    await db.close()
  })

  it('formats every event type per the lexicon, with verifiable sync 1.1 commits', async () => {
    const r = new TestRepo()
    db.transact(() => {
      seq.sequenceIdentity(DID, 'alice.test')
      seq.sequenceAccount(DID, true)
      seq.sequenceCommit(DID, r.commit([]))
    })
    const c2 = r.create(3)
    seq.sequenceCommit(DID, c2)
    const rkey = 'r000000'
    const upd = r.commit([
      {
        action: 'update',
        collection: 'app.bsky.feed.post',
        rkey,
        record: { $type: 'app.bsky.feed.post', text: 'edited', createdAt: '2024-01-01T00:00:00.000Z' },
      },
    ])
    seq.sequenceCommit(DID, upd)
    seq.sequenceCommit(DID, r.commit([{ action: 'delete', collection: 'app.bsky.feed.post', rkey: 'r000001' }]))
    seq.sequenceSync(DID, upd.cid, upd.rev, upd.newBlocks.get(upd.cid))
    seq.sequenceAccount(DID, false, 'deactivated')
    seq.sequenceIdentity(DID)

    const frames = await collect(seq.frames(0), 9)
    const decoded = frames.map(officialDecodeFrame)
    expect(decoded.map((f) => f.t)).toEqual([
      '#identity',
      '#account',
      '#commit',
      '#commit',
      '#commit',
      '#commit',
      '#sync',
      '#account',
      '#identity',
    ])
    expect(decoded.map((f) => f.body.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    for (const f of decoded) {
      assertValidMessage(f)
      expect(Date.parse(f.body.time)).toBeGreaterThan(now - 10_000)
    }
    expect(decoded[0].body).toMatchObject({ did: DID, handle: 'alice.test' })
    expect(decoded[1].body).toMatchObject({ did: DID, active: true })
    expect('status' in decoded[1].body).toBe(false)
    expect(decoded[7].body).toMatchObject({ did: DID, active: false, status: 'deactivated' })
    expect('handle' in decoded[8].body).toBe(false)
    let prevData: string | undefined
    for (const f of decoded.filter((d) => d.t === '#commit')) {
      expect(f.body).toMatchObject({ rebase: false, tooBig: false, repo: DID, blobs: [] })
      if (prevData) expect(f.body.prevData?.toString()).toBe(prevData)
      else expect(f.body.since).toBeNull()
      prevData = await verifyCommitBody(f.body, r.key.did())
    }
    const [, , , create, update, del] = decoded
    expect(create.body.ops.map((o: { action: string }) => o.action)).toEqual(['create', 'create', 'create'])
    expect(create.body.ops.every((o: object) => !('prev' in o))).toBe(true)
    expect(update.body.ops[0].prev.toString()).toBe(create.body.ops[0].cid.toString())
    expect(del.body.ops[0]).toMatchObject({ action: 'delete', cid: null })
    expect(del.body.ops[0].prev.toString()).toBe(create.body.ops[1].cid.toString())
    const sync = decoded[6].body
    expect(sync.rev).toBe(upd.rev)
    expect(sync.blocks.length).toBeLessThan(10_000)
  })

  it('enforces the firehose limits when sequencing (ops, blocks size)', () => {
    const r = new TestRepo()
    seq.sequenceCommit(DID, r.commit([]))
    expect(() => seq.sequenceCommit(DID, r.create(MAX_COMMIT_OPS + 1))).toThrow(FirehoseLimitError)
    const r2 = new TestRepo('did:plc:bbbbbbbbbbbbbbbbbbbbbbbb')
    const big = 'x'.repeat(100_000)
    const writes: RecordWrite[] = Array.from({ length: 21 }, (_, i) => ({
      action: 'create',
      collection: 'com.example.big',
      rkey: `k${i}`,
      record: { big, i },
    }))
    expect(() => seq.sequenceCommit(r2.did, r2.commit(writes))).toThrow(/blocks are \d+ bytes/)
    // 200 ops is fine, and the failed attempts left no rows and no gap.
    const ok = seq.sequenceCommit(DID, r.create(MAX_COMMIT_OPS))
    expect(ok).toBe(2)
  })

  it('a rolled-back transaction leaves no event and no gap', async () => {
    seq.sequenceIdentity(DID)
    expect(() =>
      db.transact(() => {
        seq.sequenceIdentity(DID, 'x.test')
        throw new Error('abort')
      }),
    ).toThrow('abort')
    seq.sequenceIdentity(DID, 'y.test')
    const frames = (await collect(seq.frames(0), 2)).map(officialDecodeFrame)
    expect(frames.map((f) => [f.body.seq, f.body.handle])).toEqual([
      [1, undefined],
      [2, 'y.test'],
    ])
  })

  it('cursor rules: future, 0, mid-window, outdated (with #info), none = live', async () => {
    for (let i = 0; i < 5; i++) seq.sequenceIdentity(DID)
    // Future cursor: error before any frame.
    const err = await seq
      .frames(6)
      .next()
      .catch((e) => e)
    expect(err).toBeInstanceOf(XRPCError)
    expect(err.error).toBe('FutureCursor')
    // Cursor 0: whole window; cursor = current: nothing until something new.
    expect((await collect(seq.frames(0), 5)).map(seqOf)).toEqual([1, 2, 3, 4, 5])
    expect((await collect(seq.frames(3), 2)).map(seqOf)).toEqual([4, 5])
    // Live only: sees just what comes after.
    const live = seq.frames(undefined)
    const liveNext = live.next()
    const atCurrent = seq.frames(5)
    const atCurrentNext = atCurrent.next()
    seq.sequenceIdentity(DID)
    expect(seqOf((await liveNext).value as Uint8Array)).toBe(6)
    expect(seqOf((await atCurrentNext).value as Uint8Array)).toBe(6)
    await live.return(undefined)
    await atCurrent.return(undefined)
    // Age the first six events out of the window, add two more.
    now += 120_000
    seq.sequenceIdentity(DID)
    seq.sequenceIdentity(DID)
    const outdated = (await collect(seq.frames(2), 3)).map(officialDecodeFrame)
    expect(outdated[0]).toEqual({ t: '#info', body: { name: 'OutdatedCursor', message: expect.any(String) } })
    expect(outdated.slice(1).map((f) => f.body.seq)).toEqual([7, 8])
    // Cursor 0 starts at the window without #info; a cursor just before the window needs none either.
    expect((await collect(seq.frames(0), 2)).map(seqOf)).toEqual([7, 8])
    expect((await collect(seq.frames(6), 2)).map(seqOf)).toEqual([7, 8])
    // Pruning removes the old rows; the log keeps counting from where it was.
    expect(seq.prune()).toBe(6)
    expect(seq.store.minSeq()).toBe(7)
    now += 120_000
    expect(seq.prune()).toBe(1) // never the newest row
    expect(seq.store.minSeq()).toBe(8)
    expect(seq.sequenceIdentity(DID)).toBe(9)
  })

  it('replay then live under concurrent writes: every seq once, in order', async () => {
    for (let i = 0; i < 1200; i++) seq.sequenceIdentity(DID) // > 2 pages
    const total = 3000
    let writing = true
    const writer = (async () => {
      while (seq.currentSeq() < total) {
        db.transact(() => {
          for (let i = 0; i < 7 && seq.currentSeq() < total; i++) seq.sequenceIdentity(DID)
        })
        await new Promise((r) => setImmediate(r))
      }
      writing = false
    })()
    const readers = [0, 1, 500, 1199].map(async (cursor) => {
      const it = seq.frames(cursor)
      const got: number[] = []
      for (;;) {
        const r = await it.next()
        got.push(seqOf(r.value as Uint8Array))
        if (got[got.length - 1] === total) break
        // Slow down now and then so replay and live interleave differently per reader.
        if (got.length % 97 === 0) await new Promise((r) => setTimeout(r, 1))
      }
      await it.return(undefined)
      return { cursor, got }
    })
    const results = await Promise.all(readers)
    await writer
    expect(writing).toBe(false)
    for (const { cursor, got } of results) {
      expect(got.length).toBe(total - cursor)
      expect(got.every((s, i) => s === cursor + 1 + i)).toBe(true)
    }
  })

  it('drops a live consumer whose queue overflows (ConsumerTooSlow), others unaffected', async () => {
    seq.broadcaster.limits.maxQueueFrames = 50
    const slow = seq.frames(undefined)
    const fast = seq.frames(undefined)
    const slowFirst = slow.next()
    const fastGot: number[] = []
    const fastDone = (async () => {
      for (;;) {
        const r = await fast.next()
        fastGot.push(seqOf(r.value as Uint8Array))
        if (fastGot.length === 200) return
      }
    })()
    for (let i = 0; i < 200; i++) {
      seq.sequenceIdentity(DID)
      if (i % 10 === 0) await new Promise((r) => setImmediate(r))
    }
    await fastDone
    expect(fastGot).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(seqOf((await slowFirst).value as Uint8Array)).toBe(1)
    const err = await (async () => {
      for (;;) await slow.next()
    })().catch((e) => e)
    expect(err).toBeInstanceOf(XRPCError)
    expect(err.error).toBe('ConsumerTooSlow')
    expect(seq.broadcaster.subscriberCount).toBe(1)
    await fast.return(undefined)
    expect(seq.broadcaster.subscriberCount).toBe(0)
  })

  it('an aborted consumer stops waiting and unsubscribes', async () => {
    const ac = new AbortController()
    const it = seq.frames(undefined, ac.signal)
    const pending = it.next()
    expect(seq.broadcaster.subscriberCount).toBe(1)
    ac.abort()
    expect((await pending).done).toBe(true)
    expect(seq.broadcaster.subscriberCount).toBe(0)
  })
})
