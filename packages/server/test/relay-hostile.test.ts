/**
 * A hostile host next to an honest one. The hostile host (relay-fake-pds.ts, with DIDs it controls on the
 * test PLC) sends forged signatures, commits signed with the wrong key, replayed revs, broken sync 1.1
 * proofs, a rev from the future, a commit for an account it does not host, oversized and garbage frames and
 * a 10 MB frame. None of it reaches the relay's firehose; every drop is counted against that host; the
 * relay keeps serving the honest (official) PDS throughout; and the hostile account's own genuine history
 * recovers through a resync (getRepo, verified, re-announced as #sync).
 */
import type { AtpAgent } from '@atproto/api'
import { TestNetworkNoAppView } from '@atproto/dev-env'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { CID, cidForCbor, encodeCbor } from '@stratus/core/data'
import { tidFromTime } from '@stratus/core/syntax'
import { encodeFrame } from '@stratus/core/xrpc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestAccount, accountFrame, commitBody, commitFrame, identityFrame } from '../src/relay/test-util.ts'
import { FakePds } from './relay-fake-pds.ts'
import {
  type TestRelay,
  collect,
  commitsOf,
  hostnameOf,
  requestCrawl,
  startTestRelay,
  waitFor,
} from './relay-helpers.ts'

let net: TestNetworkNoAppView
let hostile: FakePds
let relay: TestRelay
let dave: { agent: AtpAgent; did: string }
let mallory: TestAccount
let trent: TestAccount
let honestPosts = 0

async function davePost(text: string): Promise<void> {
  honestPosts++
  await dave.agent.com.atproto.repo.createRecord({
    repo: dave.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
  })
}

function hostileHost() {
  return relay.relay.ctx.registry.get(hostile.hostname)
}

beforeAll(async () => {
  net = await TestNetworkNoAppView.create({})
  hostile = await FakePds.start()
  mallory = await hostile.createAccount(net.plc.url, 'mallory.test')
  trent = await hostile.createAccount(net.plc.url, 'trent.test')
  relay = await startTestRelay({ plcUrl: net.plc.url })
  expect((await requestCrawl(relay.url, hostnameOf(net.pds.url))).status).toBe(200)
  expect((await requestCrawl(relay.url, hostile.hostname)).status).toBe(200)
  const agent = net.pds.getClient()
  await agent.createAccount({ handle: 'dave.test', email: 'dave@test.com', password: 'password' })
  dave = { agent, did: agent.session?.did as string }
}, 120_000)

afterAll(async () => {
  await relay?.close()
  await hostile?.close()
  await net?.close()
})

describe('a hostile host', () => {
  const forbidden = new Set<string>()
  let seq = 0
  const next = () => ++seq

  it('cannot get forged, replayed, broken, misdirected or garbage events past the relay', async () => {
    const c1 = mallory.post(1, 'genuine')
    hostile.push(commitFrame(c1, { seq: next() }), { seq })
    await davePost('honest 1')

    const c2 = mallory.post(1, 'forged')
    const forged = commitBody(c2, { seq: next(), forgeSignature: true })
    forbidden.add(String(forged.commit))
    hostile.push(encodeFrame({ op: 1, t: '#commit' }, forged), { seq })
    const wrongKey = commitBody(c2, { seq: next(), signWith: Secp256k1Keypair.create() })
    forbidden.add(String(wrongKey.commit))
    hostile.push(encodeFrame({ op: 1, t: '#commit' }, wrongKey), { seq })

    hostile.push(commitFrame(c1, { seq: next() }), { seq }) // replayed rev
    const c3 = mallory.post(1, 'broken proof')
    forbidden.add(c3.cid.toString())
    const bogus = cidForCbor(encodeCbor({ not: 'the previous tree' }))
    hostile.push(commitFrame(c3, { seq: next(), prevData: bogus }), { seq })
    hostile.push(commitFrame(c3, { seq: next(), stripBlocks: true }), { seq })

    const future = trent.post(1, 'from the future', tidFromTime((Date.now() + 3_600_000) * 1000, 1))
    forbidden.add(future.cid.toString())
    hostile.push(commitFrame(future, { seq: next() }), { seq })

    // A commit for an account the hostile host does not serve (signed by mallory, claiming dave).
    const impostor = commitBody(mallory.post(1, 'impostor'), { seq: next() })
    impostor.repo = dave.did
    forbidden.add(String(impostor.commit))
    hostile.push(encodeFrame({ op: 1, t: '#commit' }, impostor), { seq })
    hostile.push(identityFrame(dave.did, next(), 'dave.test'), { seq })
    hostile.push(accountFrame(dave.did, next(), false, 'takendown'), { seq })

    hostile.push(Uint8Array.from([0xde, 0xad, 0xbe, 0xef]))
    hostile.push(encodeFrame({ op: 1, t: '#commit' }, { seq: next(), repo: mallory.did, blocks: 'nope' }), { seq })
    const huge = commitBody(mallory.post(1, 'huge'), { seq: next() })
    huge.blocks = new Uint8Array(2_500_000)
    hostile.push(encodeFrame({ op: 1, t: '#commit' }, huge), { seq })
    hostile.push(encodeFrame({ op: 1, t: '#identity' }, { seq: next(), did: mallory.did, time: 'x'.repeat(70_000) }), {
      seq,
    })
    hostile.push(encodeFrame({ op: 1, t: '#commit' }, { seq: seq - 1, repo: mallory.did }), { seq: seq + 0.1 })
    hostile.push(new Uint8Array(10 * 1024 * 1024), { once: true })
    await davePost('honest 2')

    await waitFor(() => (hostileHost()?.cursor ?? 0) >= seq, 20_000, 'hostile frames processed')
    await waitFor(() => hostile.connections >= 2, 20_000, 'reconnect after the 10 MB frame')
    const dropped = relay.relay.ctx.counters.dropped
    expect(dropped['bad-signature']).toBeGreaterThanOrEqual(2)
    expect(dropped['stale-rev']).toBeGreaterThanOrEqual(1)
    expect(dropped['bad-proof']).toBeGreaterThanOrEqual(2)
    expect(dropped['future-rev']).toBe(1)
    expect(dropped['wrong-host']).toBeGreaterThanOrEqual(3)
    expect(dropped.malformed).toBeGreaterThanOrEqual(2)
    expect(dropped['too-large']).toBeGreaterThanOrEqual(2)
    expect(dropped['out-of-order']).toBeGreaterThanOrEqual(1)
    expect(hostileHost()?.rejected).toBeGreaterThanOrEqual(14)
    expect(hostile.cursors.at(-1)).toBeGreaterThanOrEqual(seq - 1)
  })

  it('keeps serving the honest host, and nothing forbidden reached the firehose', async () => {
    await davePost('honest 3')
    const frames = await collect(relay.url, {
      cursor: 0,
      done: (fs) => commitsOf(fs).filter((c) => c.did === dave.did).length >= honestPosts + 1,
    })
    const commits = commitsOf(frames)
    expect(commits.filter((c) => c.did === dave.did).length).toBe(honestPosts + 1) // + genesis
    expect(commits.filter((c) => forbidden.has(c.commit))).toEqual([])
    expect(commits.filter((c) => c.did === mallory.did).length).toBe(1)
    expect(commits.some((c) => c.did === trent.did)).toBe(false)
    const aboutDave = frames.filter((f) => f.header.t !== '#commit' && (f.body as { did?: string }).did === dave.did)
    expect(aboutDave.every((f) => (f.body as { active?: boolean }).active !== false)).toBe(true)
    const status = await fetch(`${relay.url}/xrpc/com.atproto.sync.getRepoStatus?did=${dave.did}`)
    expect(await status.json()).toMatchObject({ active: true })
  })

  it("recovers the hostile account's genuine history through a verified resync", async () => {
    // mallory's repository moved on (c2, c3, … were applied locally): the next genuine commit breaks the
    // relay's chain, which resyncs from getRepo and announces the verified head as a #sync.
    const c4 = mallory.post(1, 'genuine again')
    hostile.push(commitFrame(c4, { seq: next() }), { seq })
    const frames = await collect(relay.url, {
      cursor: 0,
      done: (fs) => fs.some((f) => f.header.t === '#sync' && (f.body as { did: string }).did === mallory.did),
    })
    const sync = frames.find((f) => f.header.t === '#sync' && (f.body as { did: string }).did === mallory.did)
    if (!sync) throw new Error('no #sync')
    expect((sync.body as { rev: string }).rev).toBe(c4.rev)
    expect(relay.relay.ctx.counters.chainBreaks).toBeGreaterThanOrEqual(1)
    const c5 = mallory.post(1, 'chains on')
    hostile.push(commitFrame(c5, { seq: next() }), { seq })
    const after = await collect(relay.url, {
      cursor: (sync.body as { seq: number }).seq,
      done: (fs) => commitsOf(fs).some((c) => c.commit === c5.cid.toString()),
    })
    expect(commitsOf(after).some((c) => c.commit === c4.cid.toString())).toBe(false)
    const latest = await fetch(`${relay.url}/xrpc/com.atproto.sync.getLatestCommit?did=${mallory.did}`)
    expect(await latest.json()).toEqual({ cid: c5.cid.toString(), rev: c5.rev })
    expect(CID.parse(c5.cid.toString()).equals(c5.cid)).toBe(true)
  })
})
