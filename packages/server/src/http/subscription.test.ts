import { Subscription as OfficialSubscription } from '@atproto/xrpc-server'
import { Lexicons } from '@stratus/core/lexicon'
import {
  AuthRequiredError,
  InvalidRequestError,
  XRPCError,
  decodeFrame,
  encodeMessageFrame,
  subscribe,
} from '@stratus/core/xrpc'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  RateLimiter,
  type ServedHandle,
  type SubscriptionHandler,
  type XrpcRouterOptions,
  createXrpcRouter,
  serveFetch,
} from './index.ts'
import { TEST_LEXICONS } from './test-lexicons.ts'

const lexicons = new Lexicons(TEST_LEXICONS)
const NSID = 'com.example.subscribe'
const open: ServedHandle[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

async function start(
  handler: SubscriptionHandler<unknown>,
  opts: XrpcRouterOptions = { lexicons },
  auth?: () => unknown,
) {
  const router = createXrpcRouter(opts)
  router.subscription(NSID, handler, auth ? { auth } : {})
  const served = await serveFetch(router, { port: 0 })
  open.push(served)
  return { ...served, endpoint: `${served.url.replace('http', 'ws')}/xrpc/${NSID}` }
}

async function collect(iter: AsyncIterable<{ header: { t: string }; body: Record<string, unknown> }>) {
  const items: [string, unknown][] = []
  try {
    for await (const f of iter) items.push([f.header.t, f.body.seq])
    return { items, error: undefined as unknown }
  } catch (error) {
    return { items, error }
  }
}

describe('XRPC subscriptions', () => {
  it('sends the handler messages as frames with validated params, then closes cleanly', async () => {
    const s = await start(async function* ({ params }) {
      const from = (params.cursor as number | undefined) ?? 0
      for (let seq = from + 1; seq <= from + 3; seq++) yield { t: '#tick', body: { seq } }
      yield encodeMessageFrame('#tick', { seq: 99 }) // pre-encoded frames pass through untouched
    })
    const { items, error } = await collect(subscribe(s.endpoint, { params: { cursor: 10 } }))
    expect(error).toBeUndefined()
    expect(items).toEqual([
      ['#tick', 11],
      ['#tick', 12],
      ['#tick', 13],
      ['#tick', 99],
    ])
  })

  it('sends connection-time failures (bad params, auth) as an error frame', async () => {
    const s = await start(
      async function* () {
        yield { t: '#tick', body: { seq: 1 } }
      },
      { lexicons },
      () => {
        throw new AuthRequiredError('no token')
      },
    )
    const denied = await collect(subscribe(s.endpoint))
    expect(denied.items).toEqual([])
    expect((denied.error as XRPCError).error).toBe('AuthenticationRequired')
    expect((denied.error as XRPCError).message).toBe('no token')

    const t = await start(async function* () {})
    const bad = await collect(subscribe(t.endpoint, { params: { cursor: 'abc' } }))
    expect(bad.error).toBeInstanceOf(XRPCError)
    expect((bad.error as XRPCError).error).toBe('InvalidRequest')
    expect((bad.error as XRPCError).message).toMatch(/cursor must be an integer/)
  })

  it('turns handler errors into error frames: named ones as sent, others hidden and reported', async () => {
    const reported: unknown[] = []
    const s = await start(
      async function* ({ params }) {
        yield { t: '#tick', body: { seq: 1 } }
        if (params.cursor === 5) throw new InvalidRequestError('Cursor in the future.', 'FutureCursor')
        throw new Error('secret internals')
      },
      { lexicons, onError: (e) => reported.push(e) },
    )
    const future = await collect(subscribe(s.endpoint, { params: { cursor: 5 } }))
    expect(future.items).toHaveLength(1)
    expect([(future.error as XRPCError).error, (future.error as XRPCError).message]).toEqual([
      'FutureCursor',
      'Cursor in the future.',
    ])
    const hidden = await collect(subscribe(s.endpoint))
    expect((hidden.error as XRPCError).error).toBe('InternalServerError')
    expect((hidden.error as XRPCError).message).not.toMatch(/secret/)
    expect(reported).toHaveLength(1)
  })

  it('drops a consumer that stops reading instead of buffering without bound', async () => {
    let produced = 0
    let finalized = false
    const s = await start(
      async function* () {
        try {
          while (true) {
            produced++
            yield { t: '#tick', body: { seq: produced, pad: new Uint8Array(64 * 1024) } }
          }
        } finally {
          finalized = true
        }
      },
      {
        lexicons,
        subscriptions: { highWaterBytes: 256 * 1024, maxBufferedBytes: 2 * 1024 * 1024, drainTimeoutMs: 300 },
      },
    )
    const ws = new WebSocket(s.endpoint)
    let received = 0
    let last: Uint8Array | undefined
    ws.on('message', (d) => {
      received++
      last = new Uint8Array(d as Buffer)
    })
    await new Promise((r) => ws.on('open', r))
    ws.pause() // a consumer that has stopped reading
    await expect.poll(() => finalized, { timeout: 8000 }).toBe(true)
    // Bounded by socket buffers plus the limits, not by the endless source.
    expect(produced * 64 * 1024).toBeLessThan(48 * 1024 * 1024)
    const stopped = produced
    await new Promise((r) => setTimeout(r, 200))
    expect(produced).toBe(stopped)
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)))
    ws.resume()
    expect([1006, 1008]).toContain(await closed)
    // Every produced message at most, plus the ConsumerTooSlow error frame if it got through before the cut.
    expect(received).toBeLessThanOrEqual(produced + 1)
    if (received === produced + 1)
      expect(decodeFrame(last!).body).toEqual({ error: 'ConsumerTooSlow', message: 'Stream consumer too slow' })
  })

  it('keeps a consumer that reads steadily, even through far more data than the buffer limit', async () => {
    const total = 400
    const s = await start(
      async function* () {
        for (let seq = 1; seq <= total; seq++) yield { t: '#tick', body: { seq, pad: new Uint8Array(32 * 1024) } }
      },
      { lexicons, subscriptions: { highWaterBytes: 64 * 1024, maxBufferedBytes: 1024 * 1024, drainTimeoutMs: 2000 } },
    )
    const { items, error } = await collect(subscribe(s.endpoint))
    expect(error).toBeUndefined()
    expect(items.map(([, seq]) => seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
  })

  it('stops a live source waiting for events as soon as the consumer leaves', async () => {
    let finalized = false
    let sawAbort = false
    const s = await start(async function* ({ signal }) {
      try {
        yield { t: '#tick', body: { seq: 1 } }
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
        sawAbort = true
      } finally {
        finalized = true
      }
    })
    for await (const f of subscribe(s.endpoint)) {
      expect(f.body.seq).toBe(1)
      break
    }
    await expect.poll(() => finalized && sawAbort).toBe(true)
  })

  it('refuses upgrades for unknown methods (501) and over the rate limit (429) with plain HTTP', async () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000 })
    const s = await start(async function* () {}, { lexicons, rateLimit: { limiter } })
    const status = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url)
        ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0))
        ws.on('open', () => {
          resolve(101)
          ws.close()
        })
        ws.on('error', () => {})
      })
    expect(await status(s.endpoint.replace(NSID, 'com.example.nothing'))).toBe(501)
    expect(await status(s.endpoint)).toBe(101)
    expect(await status(s.endpoint)).toBe(429)
  })

  it('is consumed correctly by the official @atproto/xrpc-server Subscription client', async () => {
    const s = await start(async function* () {
      for (let seq = 1; seq <= 5; seq++) yield { t: '#tick', body: { seq } }
    })
    const ac = new AbortController()
    const official = new OfficialSubscription({
      service: s.url.replace('http', 'ws'),
      method: NSID,
      signal: ac.signal,
      validate: (v: unknown) => v as { $type: string; seq: number },
    })
    const got: unknown[] = []
    for await (const msg of official) {
      got.push(msg)
      if (got.length === 5) {
        ac.abort()
        break
      }
    }
    expect(got).toEqual([1, 2, 3, 4, 5].map((seq) => ({ $type: `${NSID}#tick`, seq })))
  })

  it('frames on the wire are exactly header then body', async () => {
    const s = await start(async function* () {
      yield { t: '#tick', body: { seq: 7 } }
    })
    const ws = new WebSocket(s.endpoint)
    const data = await new Promise<Buffer>((r) => ws.on('message', (d) => r(d as Buffer)))
    const f = decodeFrame(new Uint8Array(data))
    expect(f).toEqual({ header: { op: 1, t: '#tick' }, body: { seq: 7 } })
    ws.close()
  })
})
