/**
 * The relay's own behaviour against a scriptable host (no PLC: DIDs resolve from a stub): firehose cursor
 * semantics (FutureCursor, OutdatedCursor, live without cursor), dropping a consumer that stops reading,
 * the admin endpoints (account takedown and restore, host ban and unban without losing events, account
 * limit overrides), an upstream FutureCursor, lenient mode, and request validation.
 */
import { encodeErrorFrame } from '@stratus/core/xrpc'
import { cidForCbor, encodeCbor } from '@stratus/core/data'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import type { RelayConfigInput } from '../src/relay/index.ts'
import { StubResolver, type TestAccount, commitFrame, didDoc } from '../src/relay/test-util.ts'
import { FakePds } from './relay-fake-pds.ts'
import { type TestRelay, collect, commitsOf, getJson, requestCrawl, waitFor } from './relay-helpers.ts'
import { startRelay } from '../src/relay/index.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { pgTestUrl, testSchemaName } from '../src/db/test-util.ts'

interface Setup {
  relay: TestRelay
  pds: FakePds
  resolver: StubResolver
  seq: number
  account(): TestAccount
  /** Pushes the account's next commit; returns it. */
  commit(a: TestAccount, text?: string, size?: number): ReturnType<TestAccount['post']>
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(cfg: RelayConfigInput = {}): Promise<Setup> {
  const pds = await FakePds.start()
  const resolver = new StubResolver()
  const dir = mkdtempSync(join(tmpdir(), 'stratus-relay-'))
  const relay = await startRelay(
    {
      port: 0,
      devMode: true,
      dataDir: dir,
      fsync: false,
      verifyWorkers: 0,
      minBackoffMs: 50,
      maxBackoffMs: 500,
      logLevel: 'silent',
      adminPassword: 'secret',
      ...cfg,
    },
    { logger: pino({ level: 'silent' }), didResolver: resolver },
  )
  const tr: TestRelay = {
    relay,
    dataDir: dir,
    url: relay.url,
    close: async () => {
      await relay.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  cleanups.push(
    () => pds.close(),
    () => tr.close(),
  )
  const s: Setup = {
    relay: tr,
    pds,
    resolver,
    seq: 0,
    account() {
      const a = pds.addAccount()
      resolver.set(didDoc(a.did, a.signingKey, pds.url))
      return a
    },
    commit(a, text = 'hi', size = 0) {
      const c =
        size > 0
          ? a.commit([
              {
                action: 'create',
                collection: 'app.bsky.feed.post',
                rkey: `${Date.now()}${s.seq}`,
                record: { text: 'x'.repeat(size) },
              },
            ])
          : a.post(1, text)
      s.seq++
      pds.push(commitFrame(c, { seq: s.seq }), { seq: s.seq })
      return c
    },
  }
  expect((await requestCrawl(relay.url, pds.hostname)).status).toBe(200)
  return s
}

const admin = (relayUrl: string, path: string, body?: unknown, password = 'secret') =>
  fetch(`${relayUrl}/admin/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

function durable(s: Setup, n: number) {
  return waitFor(() => s.relay.relay.ctx.sequencer.durableSeq >= n, 10_000, `relay seq ${n}`)
}

describe('firehose cursors', () => {
  it('answers FutureCursor, OutdatedCursor, bad cursors, and goes live without a cursor', async () => {
    const s = await setup({ logSegmentBytes: 3000 })
    const alice = s.account()
    // One durable batch per commit, so the 3000-byte segments roll over and older ones can be pruned.
    for (let i = 0; i < 20; i++) {
      s.commit(alice, `post ${i}`)
      await durable(s, i + 1)
    }
    const head = s.relay.relay.ctx.sequencer.durableSeq
    const future = collect(s.relay.url, { cursor: head + 5, done: () => false })
    await expect(future).rejects.toThrow(/Cursor in the future/)
    const bad = collect(s.relay.url, { path: '/xrpc/com.atproto.sync.subscribeRepos?cursor=abc', done: () => false })
    await expect(bad).rejects.toThrow(/non-negative integer/)

    const removed = await s.relay.relay.ctx.log.prune(Date.now() * 1000 + 1)
    expect(removed).toBeGreaterThan(0)
    const oldest = s.relay.relay.ctx.log.oldestSeq as number
    const frames = await collect(s.relay.url, { cursor: 0, done: (fs) => fs.length >= 2 + head - oldest })
    expect(frames[0].header.t).toBe('#info')
    expect(frames[0].body).toMatchObject({ name: 'OutdatedCursor' })
    expect((frames[1].body as { seq: number }).seq).toBe(oldest)

    const live = collect(s.relay.url, { done: (fs) => commitsOf(fs).length >= 1 })
    await waitFor(() => s.relay.relay.ctx.firehose.consumers.size >= 1, 5000, 'live consumer')
    const c = s.commit(alice, 'live one')
    const got = await live
    expect(commitsOf(got).map((x) => x.commit)).toEqual([c.cid.toString()])
  })

  it('drops a consumer that stops reading instead of buffering without bound', async () => {
    const s = await setup({
      consumerLimits: {
        highWaterBytes: 256 * 1024,
        lowWaterBytes: 64 * 1024,
        stallMs: 300,
        readBytes: 64 * 1024,
        pingMs: 30_000,
      },
    })
    const alice = s.account()
    const ws = new WebSocket(`${s.relay.url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos`)
    await new Promise((r) => ws.once('open', r))
    ws.pause()
    await waitFor(() => s.relay.relay.ctx.firehose.consumers.size === 1, 5000, 'consumer registered')
    for (let i = 0; i < 120; i++) s.commit(alice, '', 150_000)
    await waitFor(() => s.relay.relay.ctx.firehose.consumers.size === 0, 20_000, 'slow consumer dropped')
    ws.terminate()
    // Others are unaffected.
    const frames = await collect(s.relay.url, { cursor: 0, done: (fs) => commitsOf(fs).length >= 120 })
    expect(commitsOf(frames).length).toBe(120)
  })
})

describe('operator controls', () => {
  it('takes an account down and restores it (resyncing what it missed)', async () => {
    const s = await setup()
    const alice = s.account()
    s.commit(alice)
    await durable(s, 1)
    expect((await admin(s.relay.url, 'stats', undefined, 'wrong')).status).toBe(401)
    expect((await admin(s.relay.url, 'accounts/takedown', { did: alice.did })).status).toBe(200)
    s.commit(alice, 'while taken down')
    await waitFor(() => s.relay.relay.ctx.counters.dropped.takendown === 1, 5000, 'takendown drop')
    const latest = await getJson(`${s.relay.url}/xrpc/com.atproto.sync.getLatestCommit?did=${alice.did}`)
    expect(latest).toMatchObject({ status: 400, body: { error: 'RepoTakendown' } })
    expect((await admin(s.relay.url, 'accounts/restore', { did: alice.did })).status).toBe(200)
    const after = s.commit(alice, 'after restore')
    const frames = await collect(s.relay.url, { cursor: 0, done: (fs) => fs.some((f) => f.header.t === '#sync') })
    const accounts = frames.filter((f) => f.header.t === '#account').map((f) => f.body)
    expect(accounts).toMatchObject([{ active: false, status: 'takendown' }, { active: true }])
    expect(frames.find((f) => f.header.t === '#sync')?.body).toMatchObject({ did: alice.did, rev: after.rev })
  })

  it('bans and unbans a host without losing its events, and applies account limit overrides', async () => {
    const s = await setup()
    const alice = s.account()
    s.commit(alice)
    await durable(s, 1)
    const ban = await admin(s.relay.url, 'hosts/ban', { hostname: s.pds.hostname })
    expect(await ban.json()).toMatchObject({ status: 'banned' })
    const refused = await requestCrawl(s.relay.url, s.pds.hostname)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ error: 'HostBanned' })
    const hosts = await getJson(`${s.relay.url}/xrpc/com.atproto.sync.listHosts`)
    expect(hosts.body.hosts[0]).toMatchObject({ hostname: s.pds.hostname, status: 'banned' })
    const missed = s.commit(alice, 'while banned')
    await new Promise((r) => setTimeout(r, 200))
    expect(s.relay.relay.ctx.sequencer.durableSeq).toBe(1)

    const limits = await admin(s.relay.url, 'hosts/limits', { hostname: s.pds.hostname, accountLimit: 1 })
    expect(await limits.json()).toMatchObject({ accountLimit: 1, accountCount: 1 })
    expect((await admin(s.relay.url, 'hosts/unban', { hostname: s.pds.hostname })).status).toBe(200)
    const bob = s.account()
    s.commit(bob)
    await waitFor(() => s.relay.relay.ctx.counters.dropped['account-limit'] === 1, 5000, 'account limit drop')
    await admin(s.relay.url, 'hosts/limits', { hostname: s.pds.hostname, accountLimit: null })
    const bobs = s.commit(bob, 'second')
    const frames = await collect(s.relay.url, { cursor: 0, done: (fs) => commitsOf(fs).length >= 3 })
    expect(commitsOf(frames).map((c) => c.commit)).toEqual([
      commitsOf(frames)[0].commit,
      missed.cid.toString(),
      bobs.cid.toString(),
    ])
  })

  it('stops a host that answers FutureCursor until it asks to be crawled again', async () => {
    const s = await setup()
    const alice = s.account()
    s.commit(alice)
    await durable(s, 1)
    s.pds.push(encodeErrorFrame('FutureCursor', 'Cursor in the future.'), { once: true })
    const host = () => s.relay.relay.ctx.registry.get(s.pds.hostname)
    await waitFor(() => host()?.status === 'idle', 5000, 'host idle')
    expect(host()?.cursor).toBeNull()
    expect((await requestCrawl(s.relay.url, s.pds.hostname)).status).toBe(200)
    await waitFor(() => s.pds.cursors.length >= 2, 5000, 'reconnect')
    expect(s.pds.cursors.at(-1)).toBeUndefined()
    expect(host()?.status).toBe('active')
  })
})

const pgUrl = await pgTestUrl()

describe.skipIf(!pgUrl)('on PostgreSQL', () => {
  it('keeps host and account state in PostgreSQL across a restart', async () => {
    const schema = testSchemaName('relaystate')
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    })
    const dbUrl = `${pgUrl}?schema=${schema}`
    const s = await setup({ dbUrl })
    const alice = s.account()
    s.commit(alice)
    s.commit(alice)
    await durable(s, 2)
    const dir = s.relay.dataDir
    await s.relay.relay.close()
    const third = s.commit(alice, 'while the relay was down')
    const again = await startRelay(
      { port: 0, devMode: true, dataDir: dir, fsync: false, verifyWorkers: 0, minBackoffMs: 50, dbUrl },
      { logger: pino({ level: 'silent' }), didResolver: s.resolver },
    )
    cleanups.push(() => again.close())
    const frames = await collect(again.url, { cursor: 2, done: (fs) => commitsOf(fs).length >= 1 })
    expect(commitsOf(frames)).toMatchObject([{ seq: 3, commit: third.cid.toString() }])
    const latest = await getJson(`${again.url}/xrpc/com.atproto.sync.getLatestCommit?did=${alice.did}`)
    expect(latest.body).toEqual({ cid: third.cid.toString(), rev: third.rev })
  })
})

describe('modes and validation', () => {
  it('passes a commit with a broken proof in lenient mode (and counts it)', async () => {
    const s = await setup({ strict: false })
    const alice = s.account()
    s.commit(alice)
    const c = alice.post(1, 'bad proof')
    s.seq++
    s.pds.push(commitFrame(c, { seq: s.seq, prevData: cidForCbor(encodeCbor({ x: 1 })) }), { seq: s.seq })
    const frames = await collect(s.relay.url, { cursor: 0, done: (fs) => commitsOf(fs).length >= 2 })
    expect(commitsOf(frames)[1].commit).toBe(c.cid.toString())
    expect(s.relay.relay.ctx.counters.lenientPasses).toBe(1)
  })

  it('refuses bad crawl requests and bad Jetstream filters', async () => {
    const s = await setup()
    for (const hostname of ['not a host', 'https://x.test/path', '']) {
      const res = await requestCrawl(s.relay.url, hostname)
      expect(res.status).toBe(400)
    }
    const unreachable = await requestCrawl(s.relay.url, 'localhost:1')
    expect(await unreachable.json()).toMatchObject({ error: 'InvalidRequest' })
    const ws = new WebSocket(`${s.relay.url.replace('http', 'ws')}/subscribe?wantedCollections=not..valid`)
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    )
    expect(status).toBe(400)
  })
})
