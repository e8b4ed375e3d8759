/**
 * The relay against the official stack: two official PDSes (@atproto/dev-env, one PLC) crawled by one
 * relay. Writes on both appear once each, in order per account, with the relay's own gapless sequence; a
 * consumer that disconnects and resumes from its cursor misses nothing and sees nothing twice; the official
 * @atproto/sync Firehose reads and verifies the relay's stream; the sync queries, getRepo redirect, Jetstream
 * stream and a restart (resuming every host from its cursor) behave.
 */
import type { AtpAgent } from '@atproto/api'
import { TestNetworkNoAppView, TestPds } from '@atproto/dev-env'
import { IdResolver } from '@atproto/identity'
import { type Event, Firehose, MemoryRunner } from '@atproto/sync'
import type { MessageFrame } from '@stratus/core/xrpc'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type TestRelay,
  collect,
  commitsOf,
  getJson,
  hostnameOf,
  requestCrawl,
  startTestRelay,
  waitFor,
} from './relay-helpers.ts'

let net: TestNetworkNoAppView
let pds2: TestPds
let relay: TestRelay
const agents: { agent: AtpAgent; did: string }[] = []

async function createAccount(pdsAgent: AtpAgent, name: string): Promise<{ agent: AtpAgent; did: string }> {
  await pdsAgent.createAccount({ handle: `${name}.test`, email: `${name}@test.com`, password: 'password' })
  return { agent: pdsAgent, did: pdsAgent.session?.did as string }
}

/** Every #commit a PDS itself emitted (its own firehose from the start). */
async function pdsCommits(url: string, count: number) {
  const frames = await collect(url, { cursor: 0, done: (fs) => commitsOf(fs).length >= count })
  return commitsOf(frames)
}

let written = 0
async function post(a: { agent: AtpAgent; did: string }, text: string) {
  written++
  return a.agent.com.atproto.repo.createRecord({
    repo: a.did,
    collection: 'app.bsky.feed.post',
    record: { $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() },
  })
}

beforeAll(async () => {
  net = await TestNetworkNoAppView.create({})
  pds2 = await TestPds.create({ didPlcUrl: net.plc.url })
  relay = await startTestRelay({ plcUrl: net.plc.url })
  for (const url of [net.pds.url, pds2.url]) {
    const res = await requestCrawl(relay.url, hostnameOf(url))
    expect(res.status).toBe(200)
  }
  agents.push(await createAccount(net.pds.getClient(), 'alice'))
  agents.push(await createAccount(pds2.getClient(), 'bob'))
  agents.push(await createAccount(pds2.getClient(), 'carol'))
}, 120_000)

afterAll(async () => {
  await relay?.close()
  await pds2?.close()
  await net?.close()
})

describe('relay with two official PDSes', () => {
  let firstRead: MessageFrame[] = []

  it('re-emits every write of both hosts once, in order per account, with gapless relay seqs', async () => {
    for (let i = 0; i < 6; i++) for (const a of agents) await post(a, `post ${i} by ${a.did}`)
    const { uri } = (await post(agents[0], 'to be edited')).data
    const rkey = uri.split('/').pop() as string
    await agents[0].agent.com.atproto.repo.putRecord({
      repo: agents[0].did,
      collection: 'app.bsky.feed.post',
      rkey,
      record: { $type: 'app.bsky.feed.post', text: 'edited', createdAt: new Date().toISOString() },
    })
    await agents[0].agent.com.atproto.repo.deleteRecord({ repo: agents[0].did, collection: 'app.bsky.feed.post', rkey })
    // Genesis commit + 6 posts per account, plus alice's create/update/delete.
    const expected = [...(await pdsCommits(net.pds.url, 10)), ...(await pdsCommits(pds2.url, 14))]
    firstRead = await collect(relay.url, { cursor: 0, done: (fs) => commitsOf(fs).length >= expected.length })
    const got = commitsOf(firstRead)
    const key = (c: { did: string; rev: string; commit: string }) => `${c.did} ${c.rev} ${c.commit}`
    expect(got.map(key).sort()).toEqual(expected.map(key).sort())
    expect(new Set(got.map(key)).size).toBe(got.length)
    for (const a of agents) {
      const revs = got.filter((c) => c.did === a.did).map((c) => c.rev)
      expect(revs).toEqual([...revs].sort())
    }
    const seqs = firstRead.map((f) => (f.body as { seq: number }).seq)
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i))
    expect(firstRead.some((f) => f.header.t === '#identity')).toBe(true)
    expect(firstRead.some((f) => f.header.t === '#account')).toBe(true)
    // Honest hosts: nothing dropped except the #sync each new account sends after its genesis commit.
    const { dropped } = relay.relay.ctx.counters
    expect(Object.keys(dropped).filter((r) => r !== 'stale-sync')).toEqual([])
    expect(relay.relay.ctx.registry.all.map((h) => h.rejected)).toEqual([0, 0])
  })

  it('lets a consumer resume from its cursor without gaps or duplicates', async () => {
    const part1 = await collect(relay.url, { cursor: 0, done: (fs) => fs.length >= 9 })
    const lastSeq = (part1[part1.length - 1].body as { seq: number }).seq
    for (const a of agents) await post(a, `written while the consumer was away ${a.did}`)
    const total = firstRead.length + agents.length
    const part2 = await collect(relay.url, { cursor: lastSeq, done: (fs) => part1.length + fs.length >= total })
    const full = await collect(relay.url, { cursor: 0, done: (fs) => fs.length >= total })
    const seqsOf = (fs: MessageFrame[]) => fs.map((f) => (f.body as { seq: number }).seq)
    expect([...seqsOf(part1), ...seqsOf(part2)]).toEqual(seqsOf(full))
    expect(commitsOf([...part1, ...part2]).map((c) => c.commit)).toEqual(commitsOf(full).map((c) => c.commit))
  })

  it('is read and verified by the official @atproto/sync Firehose', async () => {
    const events: Event[] = []
    const errors: unknown[] = []
    const firehose = new Firehose({
      idResolver: new IdResolver({ plcUrl: net.plc.url }),
      service: relay.url.replace(/^http/, 'ws'),
      runner: new MemoryRunner({ startCursor: 0 }),
      handleEvent: async (evt) => {
        events.push(evt)
      },
      onError: (err) => errors.push(err),
    })
    void firehose.start()
    await waitFor(() => events.filter((e) => e.event === 'create').length >= written, 20_000, 'verified creates')
    await firehose.destroy()
    expect(errors).toEqual([])
    const creates = events.filter((e) => e.event === 'create')
    expect(creates.length).toBe(written)
    expect(events.some((e) => e.event === 'update')).toBe(true)
    expect(events.some((e) => e.event === 'delete')).toBe(true)
    expect(events.some((e) => e.event === 'identity')).toBe(true)
  })

  it('answers the sync queries from its own state and redirects getRepo', async () => {
    const [alice] = agents
    const pdsLatest = await getJson(`${net.pds.url}/xrpc/com.atproto.sync.getLatestCommit?did=${alice.did}`)
    const ours = await getJson(`${relay.url}/xrpc/com.atproto.sync.getLatestCommit?did=${alice.did}`)
    expect(ours).toEqual(pdsLatest)
    const status = await getJson(`${relay.url}/xrpc/com.atproto.sync.getRepoStatus?did=${alice.did}`)
    expect(status.body).toEqual({ did: alice.did, active: true, rev: pdsLatest.body.rev })
    const missing = await getJson(
      `${relay.url}/xrpc/com.atproto.sync.getRepoStatus?did=did:plc:nobodyhere234567abcdefgh`,
    )
    expect(missing).toMatchObject({ status: 400, body: { error: 'RepoNotFound' } })
    const res = await fetch(`${relay.url}/xrpc/com.atproto.sync.getRepo?did=${alice.did}`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(
      `${net.pds.url}/xrpc/com.atproto.sync.getRepo?did=${encodeURIComponent(alice.did)}`,
    )
    await waitFor(async () => (await getJson(`${relay.url}/xrpc/com.atproto.sync.listRepos`)).body.repos.length === 3)
    const repos = (await getJson(`${relay.url}/xrpc/com.atproto.sync.listRepos?limit=2`)).body
    expect(repos.repos.length).toBe(2)
    expect(repos.cursor).toBeDefined()
    const hosts = (await getJson(`${relay.url}/xrpc/com.atproto.sync.listHosts`)).body.hosts
    expect(hosts.map((h: { hostname: string }) => h.hostname)).toEqual([hostnameOf(net.pds.url), hostnameOf(pds2.url)])
    expect(hosts.map((h: { accountCount: number }) => h.accountCount)).toEqual([1, 2])
    const one = await getJson(`${relay.url}/xrpc/com.atproto.sync.getHostStatus?hostname=${hostnameOf(pds2.url)}`)
    expect(one.body).toMatchObject({ hostname: hostnameOf(pds2.url), status: 'active', accountCount: 2 })
    expect(typeof one.body.seq).toBe('number')
    const nope = await getJson(`${relay.url}/xrpc/com.atproto.sync.getHostStatus?hostname=nowhere.example.com`)
    expect(nope).toMatchObject({ status: 400, body: { error: 'HostNotFound' } })
  })

  it('serves the Jetstream-style JSON stream with filters and a time cursor', async () => {
    const [alice, bob] = agents
    const url = `${relay.url.replace(/^http/, 'ws')}/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=${bob.did}&cursor=0`
    const messages: any[] = []
    const ws = new WebSocket(url)
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())))
    await waitFor(() => messages.filter((m) => m.kind === 'commit').length >= 7, 10_000, 'jetstream commits')
    ws.close()
    const commits = messages.filter((m) => m.kind === 'commit')
    expect(commits.every((m) => m.did === bob.did && m.commit.collection === 'app.bsky.feed.post')).toBe(true)
    expect(commits[0]).toMatchObject({ commit: { operation: 'create', record: { text: `post 0 by ${bob.did}` } } })
    expect(typeof commits[0].commit.cid).toBe('string')
    expect(messages.some((m) => m.did === alice.did)).toBe(false)
    const times = messages.map((m) => m.time_us)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    // Resuming at a message's time_us starts with that message.
    const from = commits[3].time_us
    const again: any[] = []
    const ws2 = new WebSocket(url.replace('cursor=0', `cursor=${from}`))
    ws2.on('message', (data) => again.push(JSON.parse(data.toString())))
    await waitFor(() => again.length >= 1, 10_000, 'jetstream resume')
    ws2.close()
    expect(again[0]).toEqual(commits[3])
  })

  it('resumes every host from its cursor after a restart, continuing its own sequence', async () => {
    const before = await collect(relay.url, { cursor: 0, done: (fs) => fs.length >= firstRead.length + agents.length })
    const lastSeq = (before[before.length - 1].body as { seq: number }).seq
    const dir = relay.dataDir
    await relay.close(true)
    for (const a of agents) await post(a, `written while the relay was down ${a.did}`)
    relay = await startTestRelay({ plcUrl: net.plc.url }, dir)
    const after = await collect(relay.url, { cursor: lastSeq, done: (fs) => commitsOf(fs).length >= agents.length })
    const commits = commitsOf(after)
    expect(commits.map((c) => c.did).sort()).toEqual(agents.map((a) => a.did).sort())
    expect(commits.map((c) => c.seq)).toEqual(commits.map((_, i) => lastSeq + 1 + i))
    // Nothing from before the restart came again.
    const seen = new Set(commitsOf(before).map((c) => c.commit))
    expect(commits.some((c) => seen.has(c.commit))).toBe(false)
  })
})
