/**
 * subscribeRepos over a real WebSocket against a running PDS written to by @atproto/api: the cursor rules
 * (none = live only, 0 = start of the window, mid-window, future, outdated → #info then the window),
 * reconnecting at the last seq seen while writers run (no gap, no duplicate), and a consumer that stops
 * reading being dropped (ConsumerTooSlow) instead of buffered for without bound.
 */
import { AtpAgent } from '@atproto/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FirehoseClient } from './sequencer/test-oracle.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let agent: AtpAgent
let did: string

async function newAgent(pds: TestPds, handle: string): Promise<AtpAgent> {
  const a = new AtpAgent({ service: pds.url })
  await a.createAccount({ handle, email: `${handle}@example.com`, password: `pw-${handle}` })
  return a
}

function write(a: AtpAgent, text: string, extra: Record<string, unknown> = {}) {
  return a.com.atproto.repo.createRecord({
    repo: a.session?.did as string,
    collection: 'com.example.note',
    record: { $type: 'com.example.note', text, ...extra },
  })
}

const currentSeq = (pds: TestPds): number => pds.pds.ctx.sequencer?.currentSeq() ?? -1
const consecutive = (xs: number[], from: number) => xs.every((s, i) => s === from + i)

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  agent = await newAgent(t, 'writer.test')
  did = agent.session?.did as string
  for (let i = 0; i < 5; i++) await write(agent, `note ${i}`)
}, 30_000)
afterAll(async () => {
  await t?.close()
})

describe('cursor rules', () => {
  it('no cursor: live only', async () => {
    const c = await FirehoseClient.connect(t.url)
    const before = currentSeq(t)
    await new Promise((r) => setTimeout(r, 100))
    expect(c.frames).toEqual([])
    await write(agent, 'live')
    await c.waitFor((f) => f.length >= 1)
    await new Promise((r) => setTimeout(r, 100))
    expect(c.seqs()).toEqual([before + 1])
    expect(c.frames[0]).toMatchObject({ t: '#commit', body: { repo: did } })
    await c.close()
  })

  it('cursor 0: the whole window; mid-window: everything after it; current: nothing until new', async () => {
    const head = currentSeq(t)
    const all = await FirehoseClient.connect(t.url, 0)
    await all.waitFor((f) => f.length >= head)
    expect(all.seqs()).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    const mid = await FirehoseClient.connect(t.url, 4)
    await mid.waitFor((f) => f.length >= head - 4)
    expect(mid.seqs()).toEqual(Array.from({ length: head - 4 }, (_, i) => i + 5))
    const cur = await FirehoseClient.connect(t.url, head)
    await write(agent, 'after')
    await cur.waitFor((f) => f.length >= 1)
    expect(cur.seqs()).toEqual([head + 1])
    for (const c of [all, mid, cur]) await c.close()
  })

  it('future cursor: FutureCursor error frame, then the stream closes', async () => {
    const c = await FirehoseClient.connect(t.url, currentSeq(t) + 1)
    await c.closed
    expect(c.frames).toEqual([{ t: 'error', body: { error: 'FutureCursor', message: expect.any(String) } }])
  })

  it('a cursor older than the window: #info OutdatedCursor, then the window; cursor 0 gets no #info', async () => {
    const short = await startTestPds({ rateLimits: false, firehoseRetentionMs: 1000 })
    try {
      const a = await newAgent(short, 'short.test') // seq 1..3
      await write(a, 'old') // seq 4
      await new Promise((r) => setTimeout(r, 1300))
      await write(a, 'new 1')
      await write(a, 'new 2') // seq 5, 6
      const old = await FirehoseClient.connect(short.url, 2)
      await old.waitFor((f) => f.length >= 3)
      expect(old.frames[0]).toEqual({ t: '#info', body: { name: 'OutdatedCursor', message: expect.any(String) } })
      expect(old.seqs()).toEqual([5, 6])
      const zero = await FirehoseClient.connect(short.url, 0)
      await zero.waitFor((f) => f.length >= 2)
      expect(zero.frames.map((f) => f.t)).toEqual(['#commit', '#commit'])
      expect(zero.seqs()).toEqual([5, 6])
      // The pruning job removes old rows but keeps counting.
      short.pds.ctx.sequencer?.prune()
      expect(short.pds.ctx.sequencer?.store.minSeq()).toBe(5)
      for (const c of [old, zero]) await c.close()
    } finally {
      await short.close()
    }
  })
})

describe('resume under load', () => {
  it('reconnecting at the last seq seen while three writers run: every event exactly once', async () => {
    const writers = [agent, await newAgent(t, 'writer2.test'), await newAgent(t, 'writer3.test')]
    const start = currentSeq(t)
    let stop = false
    const load = Promise.all(
      writers.map(async (a, w) => {
        let n = 0
        while (!stop) await write(a, `load ${w} ${n++}`)
      }),
    )
    const seen: number[] = []
    let cursor = start
    const sessions: number[] = []
    // Disconnect after a varying number of frames (or a short time), resume from the last seq.
    for (let round = 0; round < 8; round++) {
      const c = await FirehoseClient.connect(t.url, cursor)
      const want = 5 + ((round * 7) % 13)
      await c.waitFor((f) => f.length >= want, 10_000)
      await c.close()
      const got = c.seqs()
      expect(consecutive(got, cursor + 1)).toBe(true)
      seen.push(...got)
      sessions.push(got.length)
      cursor = got[got.length - 1]
    }
    stop = true
    await load
    const end = currentSeq(t)
    const tail = await FirehoseClient.connect(t.url, cursor)
    await tail.waitFor((f) => f.length >= end - cursor)
    await tail.close()
    seen.push(...tail.seqs())
    expect(seen.length).toBe(end - start)
    expect(consecutive(seen, start + 1)).toBe(true)
    expect(sessions.every((n) => n >= 5)).toBe(true)
  }, 60_000)
})

describe('slow consumers', () => {
  it('a consumer that stops reading is dropped with ConsumerTooSlow; others keep going', async () => {
    const sequencer = t.pds.ctx.sequencer
    if (!sequencer) throw new Error('no sequencer')
    const saved = sequencer.broadcaster.limits.maxQueueFrames
    sequencer.broadcaster.limits.maxQueueFrames = 20
    try {
      const slow = await FirehoseClient.connect(t.url)
      const healthy = await FirehoseClient.connect(t.url)
      const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
      socket.pause()
      const before = currentSeq(t)
      const big = 'x'.repeat(200_000)
      for (let i = 0; i < 60; i++) await write(agent, `big ${i}`, { big })
      await healthy.waitFor((f) => f.length >= 60)
      expect(consecutive(healthy.seqs(), before + 1)).toBe(true)
      // The stuck consumer's live queue overflowed: it no longer holds frames on the server.
      expect(sequencer.broadcaster.subscriberCount).toBe(1)
      socket.resume()
      const closed = await slow.closed
      const last = slow.frames[slow.frames.length - 1]
      expect(last).toEqual({ t: 'error', body: { error: 'ConsumerTooSlow', message: expect.any(String) } })
      expect(slow.seqs().length).toBeLessThan(60)
      expect(closed.code).toBe(1008)
      await healthy.close()
    } finally {
      sequencer.broadcaster.limits.maxQueueFrames = saved
    }
  }, 30_000)
})
