import { describe, expect, it } from 'vitest'
import { CID } from '../data/index.ts'
import {
  AuthRequiredError,
  InvalidRequestError,
  RateLimitExceededError,
  XRPCError,
  XrpcClient,
  errorNameForStatus,
  statusForErrorName,
} from './index.ts'

interface Seen {
  url: string
  method: string
  headers: Headers
  body?: Uint8Array
}

/** A client whose fetch records the request and answers with `respond`. */
function clientWith(
  respond: (req: Request) => Response | Promise<Response>,
  opts: { headers?: () => Record<string, string> } = {},
) {
  const seen: Seen[] = []
  const client = new XrpcClient({
    service: 'https://pds.example.com',
    headers: opts.headers,
    fetch: async (input, init) => {
      const req = new Request(input, init)
      const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined
      seen.push({ url: req.url, method: req.method, headers: req.headers, body })
      return respond(req)
    },
  })
  return { client, seen }
}

const cid = CID.parse('bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454')

describe('XrpcClient', () => {
  it('queries with encoded params and converts the JSON form back to data-model values', async () => {
    const { client, seen } = clientWith(() =>
      Response.json(
        { cid: { $link: cid.toString() }, raw: { $bytes: 'AQID' }, n: 1 },
        { headers: { 'atproto-repo-rev': '3abc' } },
      ),
    )
    const res = await client.query('com.example.getThing', {
      a: 'x y',
      list: ['1', '2'],
      flag: false,
      n: 5,
      skip: undefined,
      none: null,
      at: new Date('2024-01-02T03:04:05.000Z'),
    })
    expect(seen[0].method).toBe('GET')
    const u = new URL(seen[0].url)
    expect(u.pathname).toBe('/xrpc/com.example.getThing')
    expect([...u.searchParams]).toEqual([
      ['a', 'x y'],
      ['list', '1'],
      ['list', '2'],
      ['flag', 'false'],
      ['n', '5'],
      ['at', '2024-01-02T03:04:05.000Z'],
    ])
    expect(res.status).toBe(200)
    expect(res.headers['atproto-repo-rev']).toBe('3abc')
    expect(res.data.cid).toBeInstanceOf(CID)
    expect(res.data.cid.equals(cid)).toBe(true)
    expect(res.data.raw).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('posts JSON in the atproto JSON form, with per-client and per-call headers', async () => {
    const { client, seen } = clientWith(() => new Response(null, { status: 200 }), {
      headers: () => ({ authorization: 'Bearer abc' }),
    })
    const res = await client.procedure(
      'com.example.doThing',
      { ref: cid, data: new Uint8Array([255]) },
      {
        headers: { 'x-extra': '1' },
      },
    )
    expect(res.data).toBeUndefined()
    const s = seen[0]
    expect(s.method).toBe('POST')
    expect(s.headers.get('content-type')).toBe('application/json')
    expect(s.headers.get('authorization')).toBe('Bearer abc')
    expect(s.headers.get('x-extra')).toBe('1')
    expect(JSON.parse(new TextDecoder().decode(s.body))).toEqual({
      ref: { $link: cid.toString() },
      data: { $bytes: '/w' },
    })
  })

  it('sends binary input with its encoding and returns binary output as bytes or a stream', async () => {
    const car = new Uint8Array([0x0a, 1, 2, 3])
    const { client, seen } = clientWith(
      () => new Response(car, { headers: { 'content-type': 'application/vnd.ipld.car' } }),
    )
    const up = await client.procedure('com.atproto.repo.uploadBlob', new Uint8Array([9, 9]), { encoding: 'image/png' })
    expect(seen[0].headers.get('content-type')).toBe('image/png')
    expect(seen[0].body).toEqual(new Uint8Array([9, 9]))
    expect(up.data).toEqual(car)
    const blob = await client.procedure(
      'com.atproto.repo.uploadBlob',
      new Blob([new Uint8Array([1])], { type: 'image/jpeg' }),
    )
    expect(blob.status).toBe(200)
    expect(seen[1].headers.get('content-type')).toBe('image/jpeg')
    const streamed = await client.query('com.atproto.sync.getRepo', { did: 'did:plc:x' }, { responseType: 'stream' })
    expect(new Uint8Array(await new Response(streamed.data as ReadableStream).arrayBuffer())).toEqual(car)
  })

  it('throws XRPCError with the server error name, message, status and headers', async () => {
    const { client } = clientWith(() =>
      Response.json(
        { error: 'RecordNotFound', message: 'Could not locate record' },
        { status: 400, headers: { 'ratelimit-remaining': '9' } },
      ),
    )
    const err = await client.query('com.atproto.repo.getRecord').catch((e) => e)
    expect(err).toBeInstanceOf(XRPCError)
    expect(err.status).toBe(400)
    expect(err.error).toBe('RecordNotFound')
    expect(err.message).toBe('Could not locate record')
    expect(err.headers['ratelimit-remaining']).toBe('9')
  })

  it('turns HTML, empty and malformed error bodies into a clear XRPCError', async () => {
    const cases: [Response, number, string, RegExp][] = [
      [
        new Response('<html><body><h1>502 Bad Gateway</h1></body></html>', {
          status: 502,
          headers: { 'content-type': 'text/html' },
        }),
        502,
        'UpstreamFailure',
        /HTTP 502.*502 Bad Gateway/,
      ],
      [new Response(null, { status: 500 }), 500, 'InternalServerError', /^HTTP 500/],
      [
        new Response('{"error": ', { status: 400, headers: { 'content-type': 'application/json' } }),
        400,
        'InvalidRequest',
        /HTTP 400: \{"error":/,
      ],
      [
        new Response('{"error": 5}', { status: 401, headers: { 'content-type': 'application/json' } }),
        401,
        'AuthenticationRequired',
        /HTTP 401/,
      ],
      [new Response('nope', { status: 429 }), 429, 'RateLimitExceeded', /nope/],
    ]
    for (const [response, status, name, message] of cases) {
      const { client } = clientWith(() => response)
      const err = await client.query('com.example.x').catch((e) => e)
      expect(err).toBeInstanceOf(XRPCError)
      expect([err.status, err.error]).toEqual([status, name])
      expect(err.message).toMatch(message)
    }
  })

  it('reads at most 64 KiB of a huge error body', async () => {
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++
        c.enqueue(new Uint8Array(16 * 1024).fill(0x41))
      },
    })
    const { client } = clientWith(() => new Response(endless, { status: 503 }))
    const err = await client.query('com.example.x').catch((e) => e)
    expect(err.status).toBe(503)
    expect(err.message.length).toBeLessThan(300)
    expect(pulled).toBeLessThan(10)
  })

  it('reports invalid JSON in a success response as InvalidResponse', async () => {
    const { client } = clientWith(() => new Response('{not json', { headers: { 'content-type': 'application/json' } }))
    const err = await client.query('com.example.x').catch((e) => e)
    expect([err.status, err.error]).toEqual([502, 'InvalidResponse'])
  })

  it('wraps network failures, rethrows aborts, and refuses invalid NSIDs', async () => {
    const failing = new XrpcClient({
      service: 'https://x.example',
      fetch: async () => {
        throw new TypeError('fetch failed')
      },
    })
    const err = await failing.query('com.example.x').catch((e) => e)
    expect([err.status, err.error]).toEqual([502, 'UpstreamFailure'])
    expect(err.cause).toBeInstanceOf(TypeError)
    const ac = new AbortController()
    ac.abort()
    const aborting = new XrpcClient({ service: 'https://x.example', fetch: (i, init) => fetch(i, init) })
    const abortErr = await aborting.query('com.example.x', {}, { signal: ac.signal }).catch((e) => e)
    expect(abortErr.name).toBe('AbortError')
    await expect(failing.query('../admin')).rejects.toThrow(/invalid NSID/)
  })
})

describe('XRPCError family', () => {
  it('carries the spec names and statuses and serialises to {error, message}', () => {
    expect(new InvalidRequestError('bad', 'RecordNotFound').toJSON()).toEqual({
      error: 'RecordNotFound',
      message: 'bad',
    })
    const auth = new AuthRequiredError()
    expect([auth.status, auth.error, auth.message]).toEqual([401, 'AuthenticationRequired', 'Authentication Required'])
    const rl = new RateLimitExceededError('slow down', undefined, { headers: { 'retry-after': '5' } })
    expect([rl.status, rl.error, rl.headers['retry-after']]).toEqual([429, 'RateLimitExceeded', '5'])
    expect(errorNameForStatus(413)).toBe('PayloadTooLarge')
    expect(errorNameForStatus(418)).toBe('InvalidRequest')
    expect(errorNameForStatus(599)).toBe('InternalServerError')
    expect(statusForErrorName('ConsumerTooSlow')).toBe(400)
    expect(statusForErrorName('AuthenticationRequired')).toBe(401)
  })
})
