/**
 * The first check on our own stack: two Stratus PDSes (one PLC directory) and one relay. Writes on
 * both appear on the relay's firehose once each, in order per account, with a gapless relay sequence,
 * and a consumer that disconnects and resumes from its cursor misses nothing and sees nothing twice.
 */
import { AtpAgent } from '@atproto/api'
import type { MessageFrame } from '@stratus/core/xrpc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestPds, type TestPlc, startTestPds, startTestPlc } from '../src/pds/test-util.ts'
import { type TestRelay, collect, commitsOf, hostnameOf, requestCrawl, startTestRelay } from './relay-helpers.ts'

let plc: TestPlc
const pdses: TestPds[] = []
let relay: TestRelay
const writers: { agent: AtpAgent; did: string }[] = []

async function account(pds: TestPds, handle: string) {
  const agent = new AtpAgent({ service: pds.url })
  await agent.createAccount({ handle, email: `${handle}@example.com`, password: `pw-${handle}` })
  return { agent, did: agent.session?.did as string }
}

async function write(w: { agent: AtpAgent; did: string }, text: string) {
  await w.agent.com.atproto.repo.createRecord({
    repo: w.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
  })
}

/** Every #commit a PDS emitted itself, read from its own firehose. */
async function ownCommits(pds: TestPds, count: number) {
  return commitsOf(await collect(pds.url, { cursor: 0, done: (fs) => commitsOf(fs).length >= count }))
}

beforeAll(async () => {
  plc = await startTestPlc()
  for (let i = 0; i < 2; i++) pdses.push(await startTestPds({ rateLimits: false }, { plc }))
  relay = await startTestRelay({ plcUrl: plc.url })
  for (const p of pdses) expect((await requestCrawl(relay.url, hostnameOf(p.url))).status).toBe(200)
  writers.push(
    await account(pdses[0], 'ann.test'),
    await account(pdses[1], 'ben.test'),
    await account(pdses[1], 'cat.test'),
  )
}, 120_000)

afterAll(async () => {
  await relay?.close()
  for (const p of pdses) await p.close()
  await plc?.close()
})

describe('relay with two Stratus PDSes', () => {
  let first: MessageFrame[] = []

  it('re-emits every commit of both hosts once, in order per account, with gapless relay seqs', async () => {
    for (let i = 0; i < 5; i++) for (const w of writers) await write(w, `post ${i}`)
    const expected = [...(await ownCommits(pdses[0], 6)), ...(await ownCommits(pdses[1], 12))]
    first = await collect(relay.url, { cursor: 0, done: (fs) => commitsOf(fs).length >= expected.length })
    const key = (c: { did: string; rev: string; commit: string }) => `${c.did} ${c.rev} ${c.commit}`
    const got = commitsOf(first)
    expect(got.map(key).sort()).toEqual(expected.map(key).sort())
    for (const w of writers) {
      const revs = got.filter((c) => c.did === w.did).map((c) => c.rev)
      expect(revs).toEqual([...revs].sort())
    }
    const seqs = first.map((f) => (f.body as { seq: number }).seq)
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i))
    expect(relay.relay.ctx.registry.all.map((h) => h.rejected)).toEqual([0, 0])
  })

  it('lets a consumer resume from its cursor without gaps or duplicates', async () => {
    const part1 = await collect(relay.url, { cursor: 0, done: (fs) => fs.length >= 7 })
    const last = (part1[part1.length - 1].body as { seq: number }).seq
    for (const w of writers) await write(w, 'while away')
    const total = first.length + writers.length
    const part2 = await collect(relay.url, { cursor: last, done: (fs) => part1.length + fs.length >= total })
    const full = await collect(relay.url, { cursor: 0, done: (fs) => fs.length >= total })
    const seqs = (fs: MessageFrame[]) => fs.map((f) => (f.body as { seq: number }).seq)
    expect([...seqs(part1), ...seqs(part2)]).toEqual(seqs(full))
    const before = (first[first.length - 1].body as { seq: number }).seq
    expect(commitsOf(full).filter((c) => c.seq > before).length).toBe(writers.length)
  })
})
