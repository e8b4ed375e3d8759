import http from 'node:http'
import { XrpcClient as OfficialXrpcClient } from '@atproto/xrpc'
import { CID } from '@stratus/core/data'
import {
  AuthRequiredError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  XRPCError,
  XrpcClient,
} from '@stratus/core/xrpc'
import { describe, expect, it } from 'vitest'
import { RAW_HANDLER, type RouteOptions, RateLimiter, createXrpcRouter } from './index.ts'
import { TEST_LEXICONS } from './test-lexicons.ts'
import { cid, errorOf, json, lexicons, post, rawStatus, routerHarness } from './test-util.ts'

const start = routerHarness()

describe('XRPC router: routing', () => {
  it('answers unknown methods 501, other paths 404, wrong verbs 405, subscriptions over plain GET 426', async () => {
    const s = await start((r) => {
      r.query('com.example.echoParams', () => json({ ok: true }))
      r.procedure('com.example.noInput', () => undefined)
      r.subscription('com.example.subscribe', async function* () {})
    })
    expect(await errorOf(await fetch(`${s.url}/xrpc/com.example.nothingHere`))).toEqual([
      501,
      'MethodNotImplemented',
      'Method not implemented: com.example.nothingHere',
    ])
    expect((await fetch(`${s.url}/elsewhere`)).status).toBe(404)
    expect((await fetch(`${s.url}/xrpc/not_an_nsid`)).status).toBe(404)
    expect((await fetch(`${s.url}/xrpc/`)).status).toBe(404)
    const wrongQuery = await post(`${s.url}/xrpc/com.example.echoParams`, '{}', 'application/json')
    expect(wrongQuery.headers.get('allow')).toBe('GET, HEAD')
    expect((await errorOf(wrongQuery)).slice(0, 2)).toEqual([405, 'InvalidRequest'])
    expect((await fetch(`${s.url}/xrpc/com.example.noInput`)).status).toBe(405)
    expect((await fetch(`${s.url}/xrpc/com.example.subscribe`)).status).toBe(426)
    expect((await post(`${s.url}/xrpc/com.example.subscribe`, undefined)).status).toBe(405)
  })

  it('serves HEAD for queries, /xrpc/_health, and the fallback for unregistered methods', async () => {
    let healthy = true
    const s = await start((r) => r.query('com.example.echoParams', () => json({ ok: true })), {
      version: '1.2.3',
      health: () => {
        if (!healthy) throw new Error('db down')
      },
      fallback: async (req) => Response.json({ proxied: new URL(req.url).pathname }),
    })
    const head = await fetch(`${s.url}/xrpc/com.example.echoParams?did=did:plc:x`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect(await (await fetch(`${s.url}/xrpc/_health`)).json()).toEqual({ version: '1.2.3' })
    healthy = false
    expect((await fetch(`${s.url}/xrpc/_health`)).status).toBe(503)
    expect(await (await fetch(`${s.url}/xrpc/app.bsky.feed.getTimeline`)).json()).toEqual({
      proxied: '/xrpc/app.bsky.feed.getTimeline',
    })
  })

  it('refuses duplicate and invalid registrations', () => {
    const r = createXrpcRouter()
    r.query('com.example.a', () => undefined)
    expect(() => r.procedure('com.example.a', () => undefined)).toThrow(/already registered/)
    expect(() => r.query('nope', () => undefined)).toThrow(/invalid NSID/)
  })
})

describe('XRPC router: params', () => {
  it('coerces, defaults and validates params through the lexicon', async () => {
    const s = await start((r) => r.query('com.example.echoParams', ({ params }) => json({ ok: true, params })))
    const res = await fetch(`${s.url}/xrpc/com.example.echoParams?did=did:plc:abc&flag=true&tags=one`)
    expect(await res.json()).toEqual({ ok: true, params: { did: 'did:plc:abc', limit: 50, flag: true, tags: ['one'] } })
    const bad: [string, RegExp][] = [
      ['', /did/],
      ['did=did:plc:a&limit=abc', /limit must be an integer/],
      ['did=did:plc:a&limit=1000', /limit can not be greater than 100/],
      ['did=did:plc:a&flag=yes', /flag must be a boolean/],
      ['did=nope', /did/],
      ['did=did:plc:a&did=did:plc:b', /did must be a single value/],
    ]
    for (const [q, msg] of bad) {
      const [status, error, message] = await errorOf(await fetch(`${s.url}/xrpc/com.example.echoParams?${q}`))
      expect([status, error], q).toEqual([400, 'InvalidRequest'])
      expect(message, q).toMatch(msg)
    }
  })

  it('passes raw params through without lexicons (strings, arrays for repeats)', async () => {
    const s = await start((r) => r.query('com.example.raw', ({ params }) => json(params)), {})
    expect(await (await fetch(`${s.url}/xrpc/com.example.raw?a=1&b=x&b=y&c=`)).json()).toEqual({
      a: '1',
      b: ['x', 'y'],
      c: '',
    })
  })

  it('reads path and query from the request target as a parsed URL would (encoded, dot segments)', async () => {
    const s = await start((r) => r.query('com.example.raw', ({ params }) => json(params)), {})
    // http.get sends the target verbatim (fetch would normalise it first).
    const get = (target: string) =>
      new Promise<[number, unknown]>((resolve, reject) => {
        http
          .get(`${s.url}${target}`, (res) => {
            let text = ''
            res.on('data', (d) => {
              text += d
            })
            res.on('end', () => resolve([res.statusCode ?? 0, JSON.parse(text)]))
          })
          .on('error', reject)
      })
    expect(await get('/xrpc/com.example.raw?a=x%20y&a=c+d&b=%E2%9C%93&%62=2')).toEqual([
      200,
      { a: ['x y', 'c d'], b: ['✓', '2'] },
    ])
    // As URLSearchParams: one leading '?' dropped, empty pairs skipped, malformed escapes kept, bad UTF-8 replaced.
    expect(await get('/xrpc/com.example.raw??a=%zz&&b&c=%2B+%E2%82%AC&d=%C3&e=%')).toEqual([
      200,
      { a: '%zz', b: '', c: '+ €', d: '\uFFFD', e: '%' },
    ])
    expect(await get('/xrpc/../xrpc/./com.example.raw?a=1')).toEqual([200, { a: '1' }])
    expect((await get('/xrpc/com.ex%61mple.raw?a=1'))[0]).toBe(404)
  })
})

describe('XRPC router: errors, auth, rate limits, output', () => {
  it('sends XRPCErrors with their status and name, and hides everything else', async () => {
    const reported: unknown[] = []
    const s = await start(
      (r) => {
        const fail = (err: unknown) => () => {
          throw err
        }
        r.query('com.example.e400', fail(new InvalidRequestError('Could not locate record', 'RecordNotFound')))
        r.query('com.example.e401', fail(new AuthRequiredError('Token has expired', 'ExpiredToken')))
        r.query('com.example.e403', fail(new ForbiddenError()))
        r.query('com.example.e404', fail(new NotFoundError('gone')))
        r.query('com.example.e500', fail(new Error('password=hunter2 at /srv/db.ts:12')))
        r.query('com.example.weird', fail(new XRPCError(200, 'Odd')))
      },
      { onError: (e) => reported.push(e) },
    )
    expect(await errorOf(await fetch(`${s.url}/xrpc/com.example.e400`))).toEqual([
      400,
      'RecordNotFound',
      'Could not locate record',
    ])
    expect(await errorOf(await fetch(`${s.url}/xrpc/com.example.e401`))).toEqual([
      401,
      'ExpiredToken',
      'Token has expired',
    ])
    expect((await errorOf(await fetch(`${s.url}/xrpc/com.example.e403`))).slice(0, 2)).toEqual([403, 'Forbidden'])
    expect(await errorOf(await fetch(`${s.url}/xrpc/com.example.e404`))).toEqual([404, 'NotFound', 'gone'])
    const hidden = await fetch(`${s.url}/xrpc/com.example.e500`)
    const text = await hidden.text()
    expect(hidden.status).toBe(500)
    expect(text).not.toMatch(/hunter2|srv/)
    expect(JSON.parse(text)).toEqual({ error: 'InternalServerError', message: 'Internal Server Error' })
    expect((await fetch(`${s.url}/xrpc/com.example.weird`)).status).toBe(500)
    expect(reported).toHaveLength(2)
  })

  it('runs the auth verifier before reading the body and hands its result to the handler', async () => {
    let handlerCalls = 0
    const auth: RouteOptions<{ did: string }>['auth'] = ({ req }) => {
      const h = req.headers.get('authorization')
      if (h !== 'Bearer good')
        throw new AuthRequiredError('Bad token', undefined, { headers: { 'www-authenticate': 'Bearer' } })
      return { did: 'did:plc:alice' }
    }
    const s = await start((r) =>
      r.procedure(
        'com.example.upload',
        ({ auth }) => {
          handlerCalls++
          return json({ who: auth.did })
        },
        { auth },
      ),
    )
    const url = `${s.url}/xrpc/com.example.upload`
    const ok = await post(url, new Uint8Array(3), 'image/png', { authorization: 'Bearer good' })
    expect(await ok.json()).toEqual({ who: 'did:plc:alice' })
    const denied = await post(url, new Uint8Array(3), 'image/png', { authorization: 'Bearer bad' })
    expect(denied.headers.get('www-authenticate')).toBe('Bearer')
    expect(await errorOf(denied)).toEqual([401, 'AuthenticationRequired', 'Bad token'])
    // A huge unauthenticated upload is refused for auth, not read.
    const status = await rawStatus(
      s.port,
      'POST /xrpc/com.example.upload HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000000000\r\n\r\n',
    )
    expect(status).toMatch(/^HTTP\/1.1 401/)
    expect(handlerCalls).toBe(1)
  })

  it('rate limits per key with RateLimit headers, sharing a limiter across routes', async () => {
    const writes = new RateLimiter({ limit: 3, windowMs: 60_000, name: 'writes' })
    const s = await start((r) => {
      r.procedure('com.example.w1', () => undefined, { rateLimit: { limiter: writes } })
      r.procedure('com.example.w2', () => undefined, {
        rateLimit: { limiter: writes, key: ({ req }) => req.headers.get('x-user') ?? undefined },
      })
    }, {})
    const r1 = await post(`${s.url}/xrpc/com.example.w1`, undefined)
    expect(r1.status).toBe(200)
    expect(r1.headers.get('ratelimit-limit')).toBe('3')
    expect(r1.headers.get('ratelimit-remaining')).toBe('2')
    expect(r1.headers.get('ratelimit-policy')).toBe('3;w=60')
    await post(`${s.url}/xrpc/com.example.w1`, undefined)
    await post(`${s.url}/xrpc/com.example.w1`, undefined)
    const limited = await post(`${s.url}/xrpc/com.example.w1`, undefined)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(limited.headers.get('ratelimit-remaining')).toBe('0')
    expect((await errorOf(limited)).slice(0, 2)).toEqual([429, 'RateLimitExceeded'])
    // Same limiter, different key: its own budget; key undefined: not limited at all.
    expect((await post(`${s.url}/xrpc/com.example.w2`, undefined, undefined, { 'x-user': 'bob' })).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await post(`${s.url}/xrpc/com.example.w2`, undefined)).status).toBe(200)
  })

  it('validates output when asked, answering 500 and reporting the mismatch', async () => {
    const reported: unknown[] = []
    const handler = () => json({ notOk: 1 })
    const strict = await start((r) => r.query('com.example.echoParams', handler), {
      lexicons,
      validateOutput: true,
      onError: (e) => reported.push(e),
    })
    expect((await fetch(`${strict.url}/xrpc/com.example.echoParams?did=did:plc:a`)).status).toBe(500)
    expect(String(reported[0])).toMatch(/does not match its lexicon/)
    const lax = await start((r) => r.query('com.example.echoParams', handler))
    expect((await fetch(`${lax.url}/xrpc/com.example.echoParams?did=did:plc:a`)).status).toBe(200)
  })

  it('sends JSON output given as bytes as it is (validated when asked)', async () => {
    const bytes = (v: unknown) => ({ encoding: 'application/json', body: new TextEncoder().encode(JSON.stringify(v)) })
    const good = await start((r) => r.query('com.example.echoParams', () => bytes({ ok: true })))
    const res = await fetch(`${good.url}/xrpc/com.example.echoParams?did=did:plc:a`)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.text()).toBe('{"ok":true}')
    const reported: unknown[] = []
    const strict = await start((r) => r.query('com.example.echoParams', () => bytes({ notOk: 1 })), {
      lexicons,
      validateOutput: true,
      onError: (e) => reported.push(e),
    })
    expect((await fetch(`${strict.url}/xrpc/com.example.echoParams?did=did:plc:a`)).status).toBe(500)
    expect(String(reported[0])).toMatch(/does not match its lexicon/)
  })

  it('sends JSON output given as text as it is, sized in UTF-8 bytes, without making bytes of it', async () => {
    const text = '{"ok":true,"note":"é 🦋"}'
    const s = await start((r) => r.query('com.example.echoParams', () => json(text)))
    const res = await fetch(`${s.url}/xrpc/com.example.echoParams?did=did:plc:a`)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
    expect(await res.text()).toBe(text)
    const router = createXrpcRouter({ lexicons })
    router.query('com.example.echoParams', () => json(text))
    const reply = await router[RAW_HANDLER](new Request('http://x/xrpc/com.example.echoParams?did=did:plc:a'))
    expect(reply instanceof Response ? undefined : reply.body).toBe(text)
  })

  it('streams async-iterable output and stops the source when the client goes away', async () => {
    let finalized = false
    const s = await start(
      (r) =>
        r.query('com.example.stream', () => ({
          encoding: 'application/vnd.ipld.car',
          body: (async function* () {
            try {
              for (let i = 0; ; i++) yield new Uint8Array(64 * 1024).fill(i & 0xff)
            } finally {
              finalized = true
            }
          })(),
        })),
      {},
    )
    const ac = new AbortController()
    const res = await fetch(`${s.url}/xrpc/com.example.stream`, { signal: ac.signal })
    expect(res.headers.get('content-type')).toBe('application/vnd.ipld.car')
    const reader = res.body!.getReader()
    let got = 0
    while (got < 1024 * 1024) got += (await reader.read()).value!.byteLength
    ac.abort()
    await expect.poll(() => finalized, { timeout: 3000 }).toBe(true)
  })

  it('adds CORS headers to every response and answers preflights; can be turned off', async () => {
    const s = await start((r) => r.query('com.example.echoParams', () => json({ ok: true })))
    const pre = await fetch(`${s.url}/xrpc/com.example.echoParams`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, atproto-proxy',
      },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('*')
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, atproto-proxy')
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    const err = await fetch(`${s.url}/xrpc/com.example.nope`)
    expect(err.headers.get('access-control-allow-origin')).toBe('*')
    expect(err.headers.get('access-control-expose-headers')).toContain('ratelimit-remaining')
    const off = await start((r) => r.query('com.example.echoParams', () => json({ ok: true })), { cors: false })
    expect(
      (await fetch(`${off.url}/xrpc/com.example.echoParams`)).headers.get('access-control-allow-origin'),
    ).toBeNull()
  })
})

describe('XRPC router with clients', () => {
  it('round-trips with our XrpcClient, errors included', async () => {
    const s = await start((r) => {
      r.procedure('com.example.createThing', ({ input }) => {
        const body = input?.body as { name: string }
        if (body.name === 'dup') throw new InvalidRequestError('exists', 'ThingExists')
        return json({ name: body.name, ref: cid })
      })
    })
    const client = new XrpcClient({ service: s.url })
    const res = await client.procedure('com.example.createThing', { name: 'a', ref: cid })
    expect(res.data.ref).toBeInstanceOf(CID)
    const err = await client.procedure('com.example.createThing', { name: 'dup' }).catch((e) => e)
    expect([err.status, err.error, err.message]).toEqual([400, 'ThingExists', 'exists'])
  })

  it('is understood by the official @atproto/xrpc client', async () => {
    const s = await start((r) => {
      r.query('com.example.echoParams', ({ params }) => json({ ok: true, params }))
      r.procedure('com.example.createThing', () => {
        throw new InvalidRequestError('exists', 'ThingExists')
      })
    })
    const official = new OfficialXrpcClient(s.url, TEST_LEXICONS as never)
    const res = await official.call('com.example.echoParams', { did: 'did:plc:abc', limit: 7, tags: ['a', 'b'] })
    expect(res.success).toBe(true)
    expect(res.data).toEqual({ ok: true, params: { did: 'did:plc:abc', limit: 7, tags: ['a', 'b'] } })
    const err = await official.call('com.example.createThing', {}, { name: 'x' }).catch((e) => e)
    expect([err.status, err.error, err.message]).toEqual([400, 'ThingExists', 'exists'])
  })
})
