import { randomBytes } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Readable } from 'node:stream'
import { RAW_HANDLER, clientAddress, type ServedHandle, serveFetch, streamFromAsyncIterable } from './index.ts'

const open: ServedHandle[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

async function serve(...args: Parameters<typeof serveFetch>): Promise<ServedHandle> {
  const s = await serveFetch(...args)
  open.push(s)
  return s
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(5)
  }
}

/** Raw HTTP exchange over a socket: returns everything the server sent until it closed the connection. */
/**
 * Opens `url` and stops reading: the server must stop pulling 256 KiB chunks from its (infinite) source, so
 * `produced()` stalls, bounded by socket buffers. Returns the open request.
 */
async function expectBackpressure(
  url: string,
  produced: () => number,
): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  const req = http.get(url)
  const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r))
  res.pause()
  await sleep(300)
  const stalled = produced()
  await sleep(300)
  expect(produced()).toBe(stalled)
  expect(produced() * 256 * 1024).toBeLessThan(64 * 1024 * 1024)
  return { req, res }
}

function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(text))
    let out = ''
    sock.on('data', (d) => {
      out += d
    })
    sock.on('close', () => resolve(out))
    sock.on('error', reject)
  })
}

describe('serveFetch', () => {
  it('serves on a free port and passes method, path, query, headers and peer address', async () => {
    const s = await serve(
      (req) =>
        Response.json({
          method: req.method,
          url: req.url,
          x: req.headers.get('x-thing'),
          peer: clientAddress(req),
        }),
      { port: 0 },
    )
    expect(s.port).toBeGreaterThan(0)
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`)
    const res = await fetch(`${s.url}/a/b?c=1&c=2`, { headers: { 'x-thing': 'yes' } })
    expect(await res.json()).toEqual({
      method: 'GET',
      url: `http://127.0.0.1:${s.port}/a/b?c=1&c=2`,
      x: 'yes',
      peer: '127.0.0.1',
    })
  })

  it('streams a large request body through to a streamed response unchanged', async () => {
    const s = await serve(
      (req) => new Response(req.body, { headers: { 'content-type': 'application/octet-stream' } }),
      {
        port: 0,
      },
    )
    const data = randomBytes(5 * 1024 * 1024)
    const res = await fetch(s.url, { method: 'POST', body: data })
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true)
  })

  it('pulls response chunks only as fast as the client reads, and cancels the source when the client leaves', async () => {
    let produced = 0
    let finalized = false
    let signalAborted = false
    const s = await serve(
      (req) => {
        req.signal.addEventListener('abort', () => {
          signalAborted = true
        })
        async function* chunks() {
          try {
            while (true) {
              produced++
              yield new Uint8Array(256 * 1024)
            }
          } finally {
            finalized = true
          }
        }
        return new Response(streamFromAsyncIterable(chunks()))
      },
      { port: 0 },
    )
    const { req } = await expectBackpressure(`${s.url}/stream`, () => produced)
    req.destroy()
    await until(() => finalized && signalAborted)
  })

  it('aborts the request signal and errors the body stream when the client disconnects mid-upload', async () => {
    let bodyError: unknown
    let aborted = false
    let resolveDone: () => void = () => {}
    const done = new Promise<void>((r) => {
      resolveDone = r
    })
    const s = await serve(
      async (req) => {
        req.signal.addEventListener('abort', () => {
          aborted = true
        })
        try {
          await new Response(req.body).arrayBuffer()
        } catch (err) {
          bodyError = err
        }
        resolveDone()
        return new Response('late')
      },
      { port: 0 },
    )
    const sock = net.connect(s.port, '127.0.0.1')
    await new Promise((r) => sock.on('connect', r))
    sock.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n')
    sock.write(Buffer.alloc(1000))
    await sleep(50)
    sock.destroy()
    await done
    expect(bodyError).toBeDefined()
    await until(() => aborted)
  })

  it('answers before an unread upload ends and closes the connection instead of reading the rest', async () => {
    let bytesSeen = 0
    const s = await serve(
      async (req) => {
        const reader = req.body!.getReader()
        const first = await reader.read()
        bytesSeen += first.value?.byteLength ?? 0
        await reader.cancel()
        return Response.json({ error: 'PayloadTooLarge' }, { status: 413 })
      },
      { port: 0 },
    )
    const req = http.request(`${s.url}/up`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } })
    req.on('error', () => {})
    req.write(Buffer.alloc(16 * 1024))
    const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r))
    expect(res.statusCode).toBe(413)
    expect(res.headers.connection).toBe('close')
    // The client keeps sending; the server must not keep reading it.
    for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024))
    await new Promise((r) => res.on('end', r).resume())
    expect(bytesSeen).toBeLessThanOrEqual(16 * 1024)
    req.destroy()
  })

  it('turns a throwing handler into a 500 without leaking the error, and reports it', async () => {
    const errors: unknown[] = []
    const s = await serve(
      () => {
        throw new Error('secret database password in stack')
      },
      { port: 0, onError: (e) => errors.push(e) },
    )
    const res = await fetch(s.url)
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(text).not.toContain('secret')
    expect(JSON.parse(text)).toEqual({ error: 'InternalServerError', message: 'Internal Server Error' })
    expect(errors).toHaveLength(1)
  })

  it('breaks the connection when a response stream fails midway (no clean end)', async () => {
    const s = await serve(
      () =>
        new Response(
          streamFromAsyncIterable(
            (async function* () {
              yield new Uint8Array([1, 2, 3])
              throw new Error('disk gone')
            })(),
          ),
        ),
      { port: 0 },
    )
    // Depending on timing the failure shows up before or after the head; either way it is an error.
    await expect(fetch(s.url).then((r) => r.arrayBuffer())).rejects.toThrow()
  })

  it('pipes a node Readable reply body with backpressure; the client leaving destroys it, its failure breaks the connection', async () => {
    let produced = 0
    let destroyed = false
    let fail = false
    const s = await serve(
      {
        handle: async () => new Response(null, { status: 500 }),
        [RAW_HANDLER]: async () => {
          const body = new Readable({
            read() {
              produced++
              if (fail && produced > 2) this.destroy(new Error('upstream reset'))
              else this.push(new Uint8Array(256 * 1024))
            },
            destroy(err, cb) {
              destroyed = true
              cb(err)
            },
          })
          return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body }
        },
      },
      { port: 0 },
    )
    const { req, res } = await expectBackpressure(`${s.url}/stream`, () => produced)
    expect(res.headers['content-type']).toBe('application/octet-stream')
    req.destroy()
    await until(() => destroyed)
    // A source failing midway: the client sees a broken (not a cleanly ended) response.
    fail = true
    produced = 0
    await expect(fetch(`${s.url}/stream`).then((r) => r.arrayBuffer())).rejects.toThrow()
  })

  it('sends every Set-Cookie header, omits bodies for HEAD, and rejects methods fetch cannot represent', async () => {
    const s = await serve(
      () => {
        const h = new Headers({ 'content-type': 'text/plain' })
        h.append('set-cookie', 'a=1')
        h.append('set-cookie', 'b=2')
        return new Response('body', { headers: h })
      },
      { port: 0 },
    )
    const got = await new Promise<http.IncomingMessage>((r) => http.get(s.url, r))
    expect(got.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    got.resume()
    const head = await rawExchange(s.port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1.1 200/)
    expect(head.endsWith('\r\n\r\n')).toBe(true)
    const trace = await rawExchange(s.port, 'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(trace).toMatch(/^HTTP\/1.1 400/)
  })

  it('ignores a hostile Host header when building the URL', async () => {
    const s = await serve((req) => new Response(req.url), { port: 0 })
    const out = await rawExchange(s.port, 'GET //evil.example/x?y HTTP/1.1\r\nHost: a@b/c\r\nConnection: close\r\n\r\n')
    expect(out).toContain('http://localhost//evil.example/x?y')
  })

  it('close() returns promptly with idle keep-alive sockets open', async () => {
    const s = await serveFetch(() => new Response('ok'), { port: 0 })
    const agent = new http.Agent({ keepAlive: true })
    const res = await new Promise<http.IncomingMessage>((r) => http.get(s.url, { agent }, r))
    res.resume()
    await new Promise((r) => res.on('end', r))
    const t0 = Date.now()
    await s.close()
    expect(Date.now() - t0).toBeLessThan(1000)
    agent.destroy()
  })
})

it('close() does not wait for connections that never sent a request, and lets in-flight ones finish', async () => {
  let release: () => void = () => {}
  const gate = new Promise<void>((r) => {
    release = r
  })
  const s = await serveFetch(
    async () => {
      await gate
      return new Response('done')
    },
    { port: 0 },
  )
  const silent = net.connect(s.port, '127.0.0.1')
  await new Promise((r) => silent.on('connect', r))
  const inFlight = fetch(s.url).then((r) => r.text())
  await sleep(100)
  const closing = s.close()
  await sleep(50)
  release()
  expect(await inFlight).toBe('done')
  const t0 = Date.now()
  await closing
  expect(Date.now() - t0).toBeLessThan(1000)
  silent.destroy()
})

describe('serveFetch WebSocket upgrades', () => {
  it('hands accepted upgrades the socket, with the request seen first', async () => {
    let seenPath = ''
    const s = await serve(() => new Response('plain'), {
      port: 0,
      upgrade: (req) => {
        seenPath = new URL(req.url).pathname
        return (ws) => ws.send(Buffer.from('hello'))
      },
    })
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/sub?x=1`)
    const msg = await new Promise<Buffer>((r) => ws.on('message', (d) => r(d as Buffer)))
    expect(msg.toString()).toBe('hello')
    expect(seenPath).toBe('/sub')
    ws.close()
  })

  it('sends a refusing Response as plain HTTP, and 501 when nothing handles upgrades', async () => {
    const refusing = await serve(() => new Response('x'), {
      port: 0,
      upgrade: () => Response.json({ error: 'InvalidRequest', message: 'no' }, { status: 404 }),
    })
    const status = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url)
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0)
          res.resume()
        })
        ws.on('open', () => reject(new Error('should not open')))
        ws.on('error', () => {})
      })
    expect(await status(refusing.url.replace('http', 'ws'))).toBe(404)
    const none = await serve(() => new Response('x'), { port: 0 })
    expect(await status(none.url.replace('http', 'ws'))).toBe(501)
  })

  it('close() shuts open WebSockets', async () => {
    const s = await serveFetch(() => new Response('x'), { port: 0, upgrade: () => () => {} })
    const ws = new WebSocket(s.url.replace('http', 'ws'))
    await new Promise((r) => ws.on('open', r))
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
    await s.close()
    expect(await closed).toBe(1001)
  })
})
