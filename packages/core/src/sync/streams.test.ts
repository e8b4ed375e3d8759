import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'
import { lexToJson } from '../data/index.ts'
import { encodeErrorFrame, encodeMessageFrame } from '../xrpc/index.ts'
import { parseJetstreamMessage } from './jetstream.ts'
import type { CommitMessage } from './messages.ts'
import { MemorySyncStore } from './store.ts'
import { createSync } from './sync.ts'
import { FakeNetwork, post } from './test-util.ts'
import type { RecordEvent, SyncEvent } from './types.ts'

interface FakeRelay {
  url: string
  cursors: (string | null)[]
  urls: URL[]
  sockets: WebSocket[]
  close(): Promise<void>
}

/** A tiny WebSocket server: `onConnect(ws, url)` decides what each connection gets. */
async function serve(onConnect: (ws: WebSocket, url: URL) => void): Promise<FakeRelay> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((r) => wss.once('listening', r))
  const relay: FakeRelay = {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    cursors: [],
    urls: [],
    sockets: [],
    close: () =>
      new Promise((resolve) => {
        for (const ws of relay.sockets) ws.terminate()
        wss.close(() => resolve())
      }),
  }
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', relay.url)
    relay.cursors.push(url.searchParams.get('cursor'))
    relay.urls.push(url)
    relay.sockets.push(ws)
    onConnect(ws, url)
  })
  return relay
}

function commitFrame(m: CommitMessage): Uint8Array {
  const { type: _t, ...body } = m
  return encodeMessageFrame('#commit', body)
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

describe('sync kit over sockets', () => {
  it('follows a relay, reconnects from its cursor after a drop, resumes after a restart', async () => {
    const net = new FakeNetwork()
    const { acct: alice, msg: first } = net.genesis('alice')
    const msgs = [first]
    for (let i = 0; i < 10; i++) msgs.push(net.commit(alice, [post(`3kaaaaaaaaa${'abcdefghij'[i]}2`, `post ${i}`)]))
    let available = 6
    let dropAfter = 3
    const relay = await serve((ws, url) => {
      const cursor = Number(url.searchParams.get('cursor') ?? 0)
      let sent = 0
      for (const m of msgs) {
        if (m.seq <= cursor || m.seq > available) continue
        ws.send(commitFrame(m))
        if (++sent === dropAfter) {
          dropAfter = Number.POSITIVE_INFINITY
          ws.terminate() // abrupt drop mid-stream
          return
        }
      }
    })
    closers.push(relay.close)
    const store = new MemorySyncStore()
    const events: SyncEvent[] = []
    const start = async () => {
      const sync = createSync({
        relay: relay.url,
        store,
        identity: net.identity(),
        fetch: net.fetch,
        cursorIntervalMs: 0,
        onEvents: async (b) => {
          events.push(...b)
        },
      })
      await sync.start()
      return sync
    }
    let sync = await start()
    await waitFor(() => sync.cursor === 6)
    await sync.stop()
    expect(relay.cursors).toEqual([null, '3'])
    available = 11
    sync = await start()
    await waitFor(() => sync.cursor === 11)
    await sync.stop()
    expect(relay.cursors).toEqual([null, '3', '6'])
    const creates = events.filter((e): e is RecordEvent => e.type === 'create').map((e) => e.rkey)
    expect(creates).toEqual([...'abcdefghij'].map((c) => `3kaaaaaaaaa${c}2`))
    expect(net.getRepoCalls).toEqual([])
  })

  it('drops its cursor after FutureCursor and starts from the live tip', async () => {
    const net = new FakeNetwork()
    const { acct: alice, msg: first } = net.genesis('alice')
    const second = net.commit(alice, [post('3kaaaaaaaaaa2', 'x')])
    const relay = await serve((ws, url) => {
      if (url.searchParams.get('cursor')) {
        ws.send(encodeErrorFrame('FutureCursor', 'cursor in the future'))
        ws.close()
        return
      }
      ws.send(commitFrame(first))
      ws.send(commitFrame(second))
    })
    closers.push(relay.close)
    const store = new MemorySyncStore()
    await store.setCursor(999)
    const errors: unknown[] = []
    const sync = createSync({
      relay: relay.url,
      store,
      identity: net.identity(),
      onEvents: async () => {},
      onError: (e) => errors.push(e),
      cursorIntervalMs: 0,
    })
    await sync.start()
    await waitFor(() => sync.cursor === second.seq)
    await sync.stop()
    expect(relay.cursors).toEqual(['999', null])
    expect(String(errors[0])).toMatch(/cursor in the future/)
  })

  it('follows a Jetstream-style JSON stream with server-side filters and cursor', async () => {
    const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
    const t0 = 1_725_000_000_000_000
    const messages = [
      { did, time_us: t0 + 1, kind: 'identity', identity: { did, handle: 'alice.test', seq: 1, time: 'x' } },
      {
        did,
        time_us: t0 + 2,
        kind: 'commit',
        commit: {
          rev: '3kaaaaaaaaaa2',
          operation: 'create',
          collection: 'app.bsky.feed.post',
          rkey: '3kaaaaaaaaaa2',
          record: { $type: 'app.bsky.feed.post', text: 'hi', createdAt: '2024-01-01T00:00:00.000Z' },
          cid: 'bafyreib2rxk3rh6kzwq',
        },
      },
      {
        did,
        time_us: t0 + 3,
        kind: 'commit',
        commit: {
          rev: '3kaaaaaaaaaa3',
          operation: 'create',
          collection: 'app.bsky.feed.post',
          rkey: '3kaaaaaaaaaa3',
          record: {
            $type: 'app.bsky.feed.post',
            text: 'with link',
            createdAt: '2024-01-01T00:00:00.000Z',
            embed: { $type: 'app.bsky.embed.record', record: { uri: 'at://x/y/z', cid: 'bafy' } },
          },
          cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
        },
      },
      {
        did,
        time_us: t0 + 4,
        kind: 'commit',
        commit: { rev: '3kaaaaaaaaaa4', operation: 'delete', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa3' },
      },
      {
        did,
        time_us: t0 + 5,
        kind: 'account',
        account: { did, active: false, status: 'takendown', seq: 2, time: 'x' },
      },
    ]
    const relay = await serve((ws, url) => {
      const cursor = Number(url.searchParams.get('cursor') ?? 0)
      for (const m of messages) if (m.time_us >= cursor) ws.send(JSON.stringify(m))
    })
    closers.push(relay.close)
    const events: SyncEvent[] = []
    const errors: unknown[] = []
    const sync = createSync({
      jetstream: relay.url,
      backfill: 'none',
      filter: { collections: ['app.bsky.feed.post'] },
      identity: {
        resolveHandle: async () => undefined,
        dns: null,
        fetch: async () => new Response('', { status: 404 }),
      },
      onEvents: async (b) => {
        events.push(...b)
      },
      onError: (e) => errors.push(e),
      cursorIntervalMs: 0,
    })
    await sync.start()
    await waitFor(() => sync.cursor === t0 + 5)
    await sync.stop()
    // The message with an unparseable CID is reported and skipped; everything else arrives in order.
    // (A DID seen for the first time is announced with an identity event of its own.)
    expect(events.map((e) => e.type)).toEqual(['identity', 'identity', 'create', 'delete', 'account'])
    expect(errors.length).toBe(1)
    const create = events[2] as RecordEvent
    expect(create.uri).toBe(`at://${did}/app.bsky.feed.post/3kaaaaaaaaaa3`)
    expect(lexToJson(create.record ?? null)).toMatchObject({ embed: { record: { uri: 'at://x/y/z' } } })
    expect(relay.cursors[0]).toBeNull()
    expect(relay.urls[0].pathname).toBe('/subscribe')
    expect(relay.urls[0].searchParams.getAll('wantedCollections')).toEqual(['app.bsky.feed.post'])
  })

  it('parseJetstreamMessage rejects malformed input', () => {
    for (const bad of [
      '',
      '{',
      '[]',
      '{"did":"nope","time_us":1}',
      '{"did":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","time_us":1.5}',
    ]) {
      expect(() => parseJetstreamMessage(bad)).toThrow()
    }
    expect(
      parseJetstreamMessage('{"did":"did:plc:ewvi7nxzyoun6zhxrhs64oiz","time_us":1,"kind":"other"}'),
    ).toBeUndefined()
  })
})
