/**
 * Resolvers against real loopback HTTP servers. Names like `alice.com` reach the loopback server
 * through an injected fetch (which rewrites https://<host>/… to the server, passing the host in a
 * header) and an injected DNS (which says where a name "resolves"), so the private-address policy
 * is exercised exactly as it would be on the internet.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DnsResolver } from './dns.ts'
import { platformDns } from './dns.ts'
import { DidResolver, didWebUrl } from './did-resolver.ts'
import {
  FetchError,
  PoorlyFormattedDidDocumentError,
  PoorlyFormattedDidError,
  UnsupportedDidMethodError,
} from './errors.ts'
import { HandleResolver } from './handle-resolver.ts'
import { IdResolver } from './identity-resolver.ts'
import { assertFetchable, safeFetch } from './safe-fetch.ts'

type Route = (req: IncomingMessage, res: ServerResponse) => void
const routes = new Map<string, Route>() // key: `${host}${path}`
let server: Server
let origin: string
const hits: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const host = String(req.headers['x-test-host'] ?? req.headers.host)
    const key = `${host}${req.url}`
    hits.push(key)
    const route = routes.get(key)
    if (route) route(req, res)
    else {
      res.statusCode = 404
      res.end('not found')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
})

/** Routes https://<host>/<path> to the loopback server. */
const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(String(input))
  if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return fetch(url, init)
  const headers = new Headers(init?.headers)
  headers.set('x-test-host', url.host)
  return fetch(`${origin}${url.pathname}${url.search}`, { ...init, headers })
}

/** DNS where every name resolves to a public documentation-free address unless listed. */
function fakeDns(txt: Record<string, string[]> = {}, addresses: Record<string, string[]> = {}): DnsResolver {
  return {
    resolveTxt: async (name) => txt[name] ?? [],
    lookup: async (host) => addresses[host] ?? ['93.184.215.14'],
  }
}

const DID_A = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const DID_B = 'did:plc:z72i7hdynmk6r22z27h6tvur'
const KEY = 'zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF'

function doc(did: string, handle?: string) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    alsoKnownAs: handle ? [`at://${handle}`] : [],
    verificationMethod: [{ id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase: KEY }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
  }
}

const send =
  (status: number, body: string, headers: Record<string, string> = {}): Route =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(body)
  }

describe('did:web', () => {
  it('resolves from /.well-known/did.json', async () => {
    routes.set('alice.com/.well-known/did.json', send(200, JSON.stringify(doc('did:web:alice.com', 'alice.com'))))
    const r = new DidResolver({ fetch: loopbackFetch, dns: fakeDns(), cache: false })
    const d = await r.resolve('did:web:alice.com')
    expect(d?.id).toBe('did:web:alice.com')
    expect((await r.resolveAtprotoData('did:web:alice.com')).signingKey).toBe(`did:key:${KEY}`)
  })

  it('localhost with a port only under the dev flag, over http', async () => {
    const port = new URL(origin).port
    routes.set(`localhost:${port}/.well-known/did.json`, send(200, JSON.stringify(doc(`did:web:localhost%3A${port}`))))
    const dev = new DidResolver({ allowPrivateNetwork: true, cache: false })
    expect((await dev.resolve(`did:web:localhost%3A${port}`))?.id).toBe(`did:web:localhost%3A${port}`)
    const prod = new DidResolver({ cache: false })
    await expect(prod.resolve(`did:web:localhost%3A${port}`)).rejects.toThrow(PoorlyFormattedDidError)
  })

  it('enforces the spec restrictions', () => {
    expect(didWebUrl('did:web:example.com')).toBe('https://example.com/.well-known/did.json')
    expect(didWebUrl('did:web:Example.COM')).toBe('https://example.com/.well-known/did.json')
    for (const bad of [
      'did:web:example.com:user:alice',
      'did:web:example.com%3A8443',
      'did:web:localhost',
      'did:web:foo.test',
      'did:web:foo.local',
      'did:web:1.2.3.4',
      'did:web:exa%2Fmple.com',
      'did:web:localhost%3A99999',
    ]) {
      expect(() => didWebUrl(bad), bad).toThrow(PoorlyFormattedDidError)
    }
    expect(didWebUrl('did:web:foo.test', true)).toBe('https://foo.test/.well-known/did.json')
  })

  it('refuses names that resolve to private addresses unless the dev flag is set', async () => {
    routes.set('intranet.com/.well-known/did.json', send(200, JSON.stringify(doc('did:web:intranet.com'))))
    const dns = fakeDns({}, { 'intranet.com': ['10.0.0.7'] })
    await expect(
      new DidResolver({ fetch: loopbackFetch, dns, cache: false }).resolve('did:web:intranet.com'),
    ).rejects.toThrow(/private or loopback/)
    expect(
      (
        await new DidResolver({ fetch: loopbackFetch, dns, cache: false, allowPrivateNetwork: true }).resolve(
          'did:web:intranet.com',
        )
      )?.id,
    ).toBe('did:web:intranet.com')
  })

  it('hostile responses: invalid JSON, wrong id, huge bodies, redirects', async () => {
    const r = new DidResolver({ fetch: loopbackFetch, dns: fakeDns(), cache: false, maxDocBytes: 10_000 })
    routes.set('badjson.com/.well-known/did.json', send(200, '{"id": "did:web:badjson.com",'))
    await expect(r.resolve('did:web:badjson.com')).rejects.toThrow(PoorlyFormattedDidDocumentError)
    routes.set('wrongid.com/.well-known/did.json', send(200, JSON.stringify(doc('did:web:someone.else'))))
    await expect(r.resolve('did:web:wrongid.com')).rejects.toThrow(/id does not match/)
    routes.set('huge.com/.well-known/did.json', send(200, 'x'.repeat(50_000)))
    await expect(r.resolve('did:web:huge.com')).rejects.toThrow(/too large/)
    let written = 0
    routes.set('stream.com/.well-known/did.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }) // no content-length: chunked, endless
      const chunk = 'y'.repeat(8192)
      const pump = () => {
        while (written < 50_000_000 && res.write(chunk)) written += chunk.length
        if (written < 50_000_000 && !res.destroyed) res.once('drain', pump)
      }
      res.on('close', () => {
        written = Number.POSITIVE_INFINITY
      })
      pump()
    })
    await expect(r.resolve('did:web:stream.com')).rejects.toThrow(/too large/)
    routes.set(
      'redirect.com/.well-known/did.json',
      send(302, '', { location: 'https://alice.com/.well-known/did.json' }),
    )
    await expect(r.resolve('did:web:redirect.com')).rejects.toThrow(/redirect not followed/)
    routes.set('gone.com/.well-known/did.json', send(410, ''))
    expect(await r.resolve('did:web:gone.com')).toBeNull()
    routes.set('broken.com/.well-known/did.json', send(500, 'oops'))
    await expect(r.resolve('did:web:broken.com')).rejects.toThrow(FetchError)
  })

  it('times out slow servers', async () => {
    routes.set('slow.com/.well-known/did.json', () => {}) // never answers
    routes.set('drip.com/.well-known/did.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => res.write(' '), 50)
      res.on('close', () => clearInterval(timer))
    })
    const r = new DidResolver({ fetch: loopbackFetch, dns: fakeDns(), cache: false, timeoutMs: 300 })
    for (const host of ['slow.com', 'drip.com']) {
      const start = Date.now()
      await expect(r.resolve(`did:web:${host}`)).rejects.toThrow(/timed out/)
      expect(Date.now() - start).toBeLessThan(2000)
    }
    const hangingDns: DnsResolver = { resolveTxt: () => new Promise(() => {}), lookup: () => new Promise(() => {}) }
    const start = Date.now()
    await expect(
      new DidResolver({ fetch: loopbackFetch, dns: hangingDns, cache: false, timeoutMs: 300 }).resolve(
        'did:web:alice.com',
      ),
    ).rejects.toThrow(FetchError)
    expect(Date.now() - start).toBeLessThan(2000)
  })

  it('rejects other methods and bad syntax', async () => {
    const r = new DidResolver({ cache: false })
    await expect(r.resolve('did:key:zQ3sh')).rejects.toThrow(UnsupportedDidMethodError)
    await expect(r.resolve('did:plc:UPPERCASE')).rejects.toThrow(PoorlyFormattedDidError)
    await expect(r.resolve('not a did')).rejects.toThrow(PoorlyFormattedDidError)
  })
})

describe('did:plc', () => {
  it('uses the configured directory (trusted: loopback allowed) and maps 404 to null', async () => {
    routes.set(
      `127.0.0.1:${new URL(origin).port}/${encodeURIComponent(DID_A)}`,
      send(200, JSON.stringify(doc(DID_A, 'alice.com'))),
    )
    const r = new DidResolver({ plcUrl: origin, cache: false })
    expect((await r.resolve(DID_A))?.id).toBe(DID_A)
    expect(await r.resolve(DID_B)).toBeNull()
  })
})

describe('handle resolution', () => {
  it('DNS TXT: exactly one did= record; other records ignored; conflicts fail', async () => {
    const dns = fakeDns({
      '_atproto.one.com': ['v=spf1 -all', `did=${DID_A}`],
      '_atproto.two.com': [`did=${DID_A}`, `did=${DID_B}`],
      '_atproto.dup.com': [`did=${DID_A}`, `did=${DID_A}`],
      '_atproto.junk.com': ['did=not a did'],
    })
    const r = new HandleResolver({ dns, fetch: loopbackFetch, cache: false })
    expect(await r.resolve('one.com')).toBe(DID_A)
    expect(await r.resolve('ONE.com')).toBe(DID_A)
    expect(await r.resolve('two.com')).toBeUndefined()
    expect(await r.resolve('dup.com')).toBe(DID_A)
    expect(await r.resolve('junk.com')).toBeUndefined()
  })

  it('HTTPS well-known: trimmed body; bad status, body or size fail', async () => {
    const plain = (body: string, status = 200): Route => send(status, body, { 'content-type': 'text/plain' })
    routes.set('web.com/.well-known/atproto-did', plain(`  ${DID_B}\n`))
    routes.set('err.com/.well-known/atproto-did', plain(DID_B, 500))
    routes.set('two-lines.com/.well-known/atproto-did', plain(`${DID_A}\n${DID_B}`))
    routes.set('big.com/.well-known/atproto-did', plain(`${DID_A}${' '.repeat(100_000)}`))
    const r = new HandleResolver({ dns: fakeDns(), fetch: loopbackFetch, cache: false })
    expect(await r.resolve('web.com')).toBe(DID_B)
    for (const h of ['err.com', 'two-lines.com', 'big.com', 'nothing-here.com'])
      expect(await r.resolve(h), h).toBeUndefined()
  })

  it('prefers DNS when both methods answer', async () => {
    routes.set('both.com/.well-known/atproto-did', send(200, DID_B, { 'content-type': 'text/plain' }))
    const r = new HandleResolver({
      dns: fakeDns({ '_atproto.both.com': [`did=${DID_A}`] }),
      fetch: loopbackFetch,
      cache: false,
    })
    expect(await r.resolve('both.com')).toBe(DID_A)
    expect(await r.resolveHttp('both.com')).toBe(DID_B)
  })

  it('follows a few redirects, each checked; never to private addresses', async () => {
    const port = new URL(origin).port
    routes.set(
      'hop.com/.well-known/atproto-did',
      send(302, '', { location: 'https://hop2.com/.well-known/atproto-did' }),
    )
    routes.set('hop2.com/.well-known/atproto-did', send(200, DID_A, { 'content-type': 'text/plain' }))
    routes.set(
      'to-loopback.com/.well-known/atproto-did',
      send(301, '', { location: `http://127.0.0.1:${port}/secret` }),
    )
    routes.set(
      'to-intranet.com/.well-known/atproto-did',
      send(307, '', { location: 'https://intranet.com/.well-known/atproto-did' }),
    )
    routes.set('intranet.com/.well-known/atproto-did', send(200, DID_B, { 'content-type': 'text/plain' }))
    routes.set(`127.0.0.1:${port}/secret`, send(200, DID_B, { 'content-type': 'text/plain' }))
    routes.set('loop.com/.well-known/atproto-did', send(302, '', { location: '/.well-known/atproto-did' }))
    const dns = fakeDns({}, { 'intranet.com': ['192.168.3.4'] })
    const r = new HandleResolver({ dns, fetch: loopbackFetch, cache: false })
    expect(await r.resolve('hop.com')).toBe(DID_A)
    hits.length = 0
    expect(await r.resolve('to-loopback.com')).toBeUndefined()
    expect(await r.resolve('to-intranet.com')).toBeUndefined()
    expect(hits).not.toContain(`127.0.0.1:${port}/secret`)
    expect(hits).not.toContain('intranet.com/.well-known/atproto-did')
    expect(await r.resolve('loop.com')).toBeUndefined()
    expect(hits.filter((h) => h === 'loop.com/.well-known/atproto-did')).toHaveLength(4) // first try + 3 redirects
  })

  it('refuses reserved names and .test outside dev', async () => {
    const r = new HandleResolver({
      dns: fakeDns({ '_atproto.alice.test': [`did=${DID_A}`], '_atproto.x.local': [`did=${DID_A}`] }),
      cache: false,
    })
    expect(await r.resolve('alice.test')).toBeUndefined()
    expect(await r.resolve('x.local')).toBeUndefined()
    expect(await r.resolve('localhost')).toBeUndefined()
    expect(await r.resolve('not a handle')).toBeUndefined()
    const dev = new HandleResolver({
      dns: fakeDns({ '_atproto.alice.test': [`did=${DID_A}`] }),
      cache: false,
      allowPrivateNetwork: true,
    })
    expect(await dev.resolve('alice.test')).toBe(DID_A)
  })

  it('gives up on a hanging server within the timeout', async () => {
    routes.set('hang.com/.well-known/atproto-did', () => {})
    const r = new HandleResolver({ dns: fakeDns(), fetch: loopbackFetch, cache: false, timeoutMs: 300 })
    const start = Date.now()
    expect(await r.resolve('hang.com')).toBeUndefined()
    expect(Date.now() - start).toBeLessThan(2000)
  })
})

describe('bidirectional check', () => {
  function setup() {
    const port = new URL(origin).port
    routes.set(`127.0.0.1:${port}/${encodeURIComponent(DID_A)}`, send(200, JSON.stringify(doc(DID_A, 'alice.com'))))
    routes.set(`127.0.0.1:${port}/${encodeURIComponent(DID_B)}`, send(200, JSON.stringify(doc(DID_B, 'alice.com'))))
    const dns = fakeDns({ '_atproto.alice.com': [`did=${DID_A}`], '_atproto.claims-a.com': [`did=${DID_A}`] })
    return new IdResolver({ plcUrl: origin, dns, fetch: loopbackFetch })
  }

  it('verifies a handle only when both directions agree', async () => {
    const r = setup()
    expect(await r.resolveIdentity('alice.com')).toMatchObject({
      did: DID_A,
      handle: 'alice.com',
      pds: 'https://pds.example.com',
      signingKey: `did:key:${KEY}`,
    })
    expect(await r.resolveIdentity(DID_A)).toMatchObject({ did: DID_A, handle: 'alice.com' })
    // B's document claims alice.com, but alice.com points at A.
    expect(await r.resolveIdentity(DID_B)).toMatchObject({ did: DID_B, handle: 'handle.invalid' })
    // claims-a.com points at A, but A's document claims alice.com.
    expect(await r.resolveIdentity('claims-a.com')).toMatchObject({ did: DID_A, handle: 'handle.invalid' })
    expect(await r.verifyHandle(DID_A, 'ALICE.com')).toBe(true)
    expect(await r.verifyHandle(DID_B, 'alice.com')).toBe(false)
    await expect(r.resolveIdentity('nobody.com')).rejects.toThrow(/Could not resolve handle/)
  })
})

describe('platform DNS and the fetch policy', () => {
  it('looks names up through the OS resolver and blocks loopback targets', async () => {
    const dns = platformDns(2000)
    expect(dns).not.toBeNull()
    const addrs = (await dns?.lookup('localhost')) ?? []
    expect(addrs.length).toBeGreaterThan(0)
    await expect(
      assertFetchable(new URL('https://localhost/x'), { dns, allowPrivateNetwork: false, timeoutMs: 1000 }),
    ).rejects.toThrow(/private or loopback/)
    await expect(
      assertFetchable(new URL('https://[::1]/x'), { dns, allowPrivateNetwork: false, timeoutMs: 1000 }),
    ).rejects.toThrow(/private or loopback/)
    await expect(
      assertFetchable(new URL('http://example.com/x'), { dns: null, allowPrivateNetwork: false, timeoutMs: 1000 }),
    ).rejects.toThrow(/scheme/)
    await expect(
      assertFetchable(new URL('https://u:p@example.com/x'), { dns: null, allowPrivateNetwork: false, timeoutMs: 1000 }),
    ).rejects.toThrow(/credentials/)
    await expect(
      safeFetch(`${origin}/x`, {
        fetch,
        dns,
        timeoutMs: 1000,
        maxBytes: 10,
        allowPrivateNetwork: false,
        maxRedirects: 0,
      }),
    ).rejects.toThrow(FetchError)
  })
})
