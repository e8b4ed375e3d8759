import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'
import { concat } from '../bytes/index.ts'
import { encodeCbor } from '../data/index.ts'
import {
  FrameError,
  StreamClosedError,
  XRPCError,
  encodeErrorFrame,
  encodeMessageFrame,
  subscribe,
  subscriptionUrl,
} from './index.ts'

interface TestServer {
  url: string
  wss: WebSocketServer
  close(): Promise<void>
}

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A WebSocket server on a free loopback port running `onConnection` per client. */
async function wsServer(onConnection: (ws: WebSocket, req: http.IncomingMessage) => void): Promise<TestServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(426).end()
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', onConnection)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const s: TestServer = {
    url: `ws://127.0.0.1:${port}/xrpc/com.example.subscribe`,
    wss,
    close: async () => {
      for (const c of wss.clients) c.terminate()
      await new Promise((r) => wss.close(r))
      await new Promise((r) => server.close(r))
    },
  }
  servers.push(s)
  return s
}

async function collect<T>(iter: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = []
  try {
    for await (const x of iter) items.push(x)
    return { items }
  } catch (error) {
    return { items, error }
  }
}

describe('subscribe', () => {
  it('yields message frames in order, skips unknown ops, and ends on a clean close', async () => {
    let query = ''
    const s = await wsServer((ws, req) => {
      query = req.url ?? ''
      ws.send(encodeMessageFrame('#commit', { seq: 1 }))
      ws.send(concat([encodeCbor({ op: 2, t: '#future' }), encodeCbor({ x: 1 })]))
      ws.send(encodeMessageFrame('#identity', { seq: 2, did: 'did:plc:abc' }))
      ws.close(1000)
    })
    const { items, error } = await collect(subscribe(s.url, { params: { cursor: 5, wantedCollections: ['a', 'b'] } }))
    expect(error).toBeUndefined()
    expect(query).toBe('/xrpc/com.example.subscribe?cursor=5&wantedCollections=a&wantedCollections=b')
    expect(items.map((f) => [f.header.t, f.body.seq])).toEqual([
      ['#commit', 1],
      ['#identity', 2],
    ])
  })

  it('throws an XRPCError named by an error frame, after the frames before it', async () => {
    const s = await wsServer((ws) => {
      ws.send(encodeMessageFrame('#info', { name: 'OutdatedCursor' }))
      ws.send(encodeErrorFrame('FutureCursor', 'Cursor in the future.'))
    })
    const { items, error } = await collect(subscribe(s.url))
    expect(items).toHaveLength(1)
    expect(error).toBeInstanceOf(XRPCError)
    expect((error as XRPCError).error).toBe('FutureCursor')
    expect((error as XRPCError).message).toBe('Cursor in the future.')
  })

  it('drops the connection on a malformed frame', async () => {
    let serverSawClose = false
    const s = await wsServer((ws) => {
      ws.on('close', () => {
        serverSawClose = true
      })
      ws.send(encodeMessageFrame('#a', { n: 1 }))
      ws.send(new Uint8Array([0xa1, 0x62, 0x6f]))
      ws.send(encodeMessageFrame('#a', { n: 2 }))
    })
    const { items, error } = await collect(subscribe(s.url))
    expect(items).toHaveLength(1)
    expect(error).toBeInstanceOf(FrameError)
    await expect.poll(() => serverSawClose).toBe(true)
  })

  it('throws StreamClosedError when the connection dies, and XRPCError when the upgrade is refused', async () => {
    const dying = await wsServer((ws) => {
      ws.send(encodeMessageFrame('#a', { n: 1 }))
      setTimeout(() => ws.terminate(), 20)
    })
    const dead = await collect(subscribe(dying.url))
    expect(dead.items).toHaveLength(1)
    expect(dead.error).toBeInstanceOf(StreamClosedError)
    expect((dead.error as StreamClosedError).code).toBe(1006)

    const server = http.createServer((_req, res) => res.end())
    server.on('upgrade', (_req, socket) => {
      const body = JSON.stringify({ error: 'MethodNotImplemented', message: 'no streams here' })
      socket.end(
        `HTTP/1.1 501 Not Implemented\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      )
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const port = (server.address() as AddressInfo).port
      const refused = await collect(subscribe(`http://127.0.0.1:${port}/xrpc/com.example.subscribe`))
      expect(refused.error).toBeInstanceOf(XRPCError)
      expect([(refused.error as XRPCError).status, (refused.error as XRPCError).error]).toEqual([
        501,
        'MethodNotImplemented',
      ])
    } finally {
      server.close()
    }
    const unreachable = await collect(subscribe('ws://127.0.0.1:1/xrpc/x.y.z'))
    expect(unreachable.error).toBeInstanceOf(Error)
  })

  it('closes the socket when the consumer stops early or the signal aborts', async () => {
    const closes: number[] = []
    const s = await wsServer((ws) => {
      ws.on('close', (code) => closes.push(code))
      let n = 0
      const timer = setInterval(() => ws.send(encodeMessageFrame('#tick', { n: n++ })), 5)
      ws.on('close', () => clearInterval(timer))
    })
    for await (const f of subscribe(s.url)) {
      if ((f.body.n as number) >= 2) break
    }
    await expect.poll(() => closes.length).toBe(1)
    const ac = new AbortController()
    const seen: number[] = []
    const result = collect(
      (async function* () {
        for await (const f of subscribe(s.url, { signal: ac.signal })) {
          seen.push(f.body.n as number)
          if (seen.length === 3) ac.abort()
          yield f
        }
      })(),
    )
    const { error } = await result
    expect((error as Error).name).toBe('AbortError')
    await expect.poll(() => closes.length).toBe(2)
  })

  it('pauses the socket while frames wait, so the server sees backpressure, and loses nothing', async () => {
    const frameSize = 256 * 1024
    const total = 120
    let serverSocket: WebSocket | undefined
    const s = await wsServer((ws) => {
      serverSocket = ws
      for (let i = 0; i < total; i++) ws.send(encodeMessageFrame('#big', { i, pad: new Uint8Array(frameSize) }))
      ws.close(1000)
    })
    const iter = subscribe(s.url, { highWaterFrames: 4 })[Symbol.asyncIterator]()
    const first = await iter.next()
    expect(first.value?.body.i).toBe(0)
    await new Promise((r) => setTimeout(r, 300))
    // 30 MB were queued by the server; with the client paused most of it must still sit in the server's buffer.
    expect(serverSocket!.bufferedAmount).toBeGreaterThan(10 * 1024 * 1024)
    const rest: number[] = []
    while (true) {
      const next = await iter.next()
      if (next.done) break
      rest.push(next.value.body.i as number)
    }
    expect(rest).toEqual(Array.from({ length: total - 1 }, (_, i) => i + 1))
  })

  it('maps http(s) endpoints to ws(s) and rejects other schemes', () => {
    expect(subscriptionUrl('https://relay.example/xrpc/a.b.c', { cursor: 0 })).toBe(
      'wss://relay.example/xrpc/a.b.c?cursor=0',
    )
    expect(subscriptionUrl('ws://h/xrpc/a.b.c')).toBe('ws://h/xrpc/a.b.c')
    expect(() => subscriptionUrl('ftp://h/x')).toThrow(TypeError)
  })
})
