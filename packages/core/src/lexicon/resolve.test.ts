import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  LexiconDocError,
  LexiconResolutionError,
  type LexiconResolverOptions,
  lexiconAuthorityDomain,
  resolveLexicon,
  resolveLexiconAuthority,
} from './index.ts'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const OTHER_DID = 'did:web:lexicons.example.org'
const schema = (id: string) => ({
  $type: 'com.atproto.lexicon.schema',
  lexicon: 1,
  id,
  defs: { main: { type: 'record', key: 'tid', record: { type: 'object', properties: { when: { type: 'string' } } } } },
})

/** Records the stub PDS serves, by `repo collection rkey`. */
const records = new Map<string, unknown>([
  [`${DID} com.atproto.lexicon.schema com.example.cal.event`, schema('com.example.cal.event')],
  [`${DID} com.atproto.lexicon.schema com.example.cal.wrongId`, schema('com.example.cal.event')],
  [`${DID} com.atproto.lexicon.schema com.example.cal.broken`, { ...schema('com.example.cal.broken'), lexicon: 2 }],
  [
    `${DID} com.atproto.lexicon.schema com.example.cal.huge`,
    { ...schema('com.example.cal.huge'), pad: 'x'.repeat(5000) },
  ],
])
const requests: URL[] = []
let server: Server
let pds: string

const dns: Record<string, string[]> = {
  '_lexicon.cal.example.com': ['v=spf1 -all', `did=${DID}`],
  '_lexicon.example.org': [`did=${DID}`],
  '_lexicon.twice.example.net': [`did=${DID}`, `did=${OTHER_DID}`],
  '_lexicon.bad.example.net': ['did=not-a-did'],
}
const dnsQueries: string[] = []

const opts = (): LexiconResolverOptions => ({
  resolveTxt: async (name) => {
    dnsQueries.push(name)
    const found = dns[name]
    if (!found) throw new Error(`queryTxt ENOTFOUND ${name}`)
    return found
  },
  resolveDid: async (did) => {
    if (did !== DID) throw new Error(`unknown DID ${did}`)
    return { pds }
  },
})

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    requests.push(url)
    const q = url.searchParams
    const value = records.get(`${q.get('repo')} ${q.get('collection')} ${q.get('rkey')}`)
    res.setHeader('content-type', 'application/json')
    if (url.pathname !== '/xrpc/com.atproto.repo.getRecord' || !value) {
      res.statusCode = 400
      res.end(JSON.stringify({ error: 'RecordNotFound', message: 'Could not locate record' }))
      return
    }
    const uri = `at://${q.get('repo')}/${q.get('collection')}/${q.get('rkey')}`
    res.end(JSON.stringify({ uri, cid: 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq', value }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  pds = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('lexicon resolution', () => {
  it('derives the authority domain as the spec describes', () => {
    expect(lexiconAuthorityDomain('edu.university.dept.lab.blogging.getBlogPost')).toBe(
      'blogging.lab.dept.university.edu',
    )
    expect(lexiconAuthorityDomain('app.toy.record')).toBe('toy.app')
    expect(() => lexiconAuthorityDomain('not an nsid')).toThrow(LexiconResolutionError)
  })

  it('resolves NSID → DNS TXT → DID → PDS record → checked document', async () => {
    requests.length = 0
    const res = await resolveLexicon('com.example.cal.event', opts())
    expect(res).toMatchObject({
      nsid: 'com.example.cal.event',
      did: DID,
      pds,
      uri: `at://${DID}/com.atproto.lexicon.schema/com.example.cal.event`,
      cid: 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq',
    })
    expect(res.doc.id).toBe('com.example.cal.event')
    expect(res.doc.defs.main.type).toBe('record')
    expect(requests).toHaveLength(1)
    expect(requests[0].pathname).toBe('/xrpc/com.atproto.repo.getRecord')
    expect(Object.fromEntries(requests[0].searchParams)).toEqual({
      repo: DID,
      collection: 'com.atproto.lexicon.schema',
      rkey: 'com.example.cal.event',
    })
  })

  it('looks up exactly one DNS name, never parents or children', async () => {
    dnsQueries.length = 0
    // `_lexicon.example.org` exists, but the authority of org.example.sub.thing is sub.example.org.
    await expect(resolveLexiconAuthority('org.example.sub.thing', opts())).rejects.toThrow(LexiconResolutionError)
    expect(dnsQueries).toEqual(['_lexicon.sub.example.org'])
    await expect(resolveLexiconAuthority('org.example.thing', opts())).resolves.toBe(DID)
  })

  it('rejects conflicting or malformed TXT records', async () => {
    await expect(resolveLexiconAuthority('net.example.twice.x', opts())).rejects.toThrow('Conflicting')
    await expect(resolveLexiconAuthority('net.example.bad.x', opts())).rejects.toThrow('invalid DID')
  })

  it('fails when the record is missing, describes another NSID, is invalid or too large', async () => {
    await expect(resolveLexicon('com.example.cal.missing', opts())).rejects.toThrow(LexiconResolutionError)
    await expect(resolveLexicon('com.example.cal.wrongId', opts())).rejects.toThrow('describes com.example.cal.event')
    await expect(resolveLexicon('com.example.cal.broken', opts())).rejects.toThrow(LexiconDocError)
    await expect(resolveLexicon('com.example.cal.huge', { ...opts(), maxBytes: 1000 })).rejects.toThrow('too large')
  })

  it('reports DID resolution and network failures as LexiconResolutionError', async () => {
    const failingDid = { ...opts(), resolveDid: async () => Promise.reject(new Error('plc down')) }
    await expect(resolveLexicon('com.example.cal.event', failingDid)).rejects.toThrow('plc down')
    const failingFetch = { ...opts(), fetch: (async () => Promise.reject(new Error('ECONNREFUSED'))) as typeof fetch }
    await expect(resolveLexicon('com.example.cal.event', failingFetch)).rejects.toThrow('ECONNREFUSED')
  })
})
