/**
 * The PDS's public surface besides sessions: describeServer (validated against its lexicon with ours and
 * with the official @atproto/lexicon), createAccount refusals (each with the lexicon's error name and no
 * account or DID left behind), /.well-known/atproto-did by Host, /, /robots.txt and /xrpc/_health.
 */
import { readFileSync } from 'node:fs'
import { Lexicons as OfficialLexicons } from '@atproto/lexicon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let did: string

beforeAll(async () => {
  t = await startTestPds({ contactEmail: 'ops@example.com', privacyPolicyUrl: 'https://example.com/privacy' })
  const res = await post('com.atproto.server.createAccount', {
    handle: 'bob.test',
    email: 'bob@example.com',
    password: 'pw-bob-1',
  })
  expect(res.status).toBe(200)
  did = res.body.did
})
afterAll(async () => {
  await t?.close()
})

async function post(nsid: string, body: unknown) {
  const res = await fetch(`${t.url}/xrpc/${nsid}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: await res.json().catch(() => undefined) }
}

describe('describeServer', () => {
  it('advertises this PDS and validates against the lexicon (ours and the official validator)', async () => {
    const res = await fetch(`${t.url}/xrpc/com.atproto.server.describeServer`)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toEqual({
      did: 'did:web:localhost',
      availableUserDomains: ['.test'],
      inviteCodeRequired: false,
      blobUploadLimit: 5 * 1024 * 1024,
      links: { privacyPolicy: 'https://example.com/privacy' },
      contact: { email: 'ops@example.com' },
    })
    t.pds.ctx.lexicons.assertValidXrpcOutput('com.atproto.server.describeServer', body)
    const url = new URL('../../../../lexicons/com/atproto/server/describeServer.json', import.meta.url)
    const official = new OfficialLexicons([JSON.parse(readFileSync(url, 'utf8'))])
    official.assertValidXrpcOutput('com.atproto.server.describeServer', body)
  })
})

describe('createAccount refusals', () => {
  const ok = { handle: 'carol.test', email: 'carol@example.com', password: 'pw-carol' }
  const cases: [string, Record<string, unknown>, string][] = [
    ['taken handle', { handle: 'BOB.test' }, 'HandleNotAvailable'],
    ['reserved name', { handle: 'admin.test' }, 'HandleNotAvailable'],
    ['foreign domain', { handle: 'carol.example.com' }, 'UnsupportedDomain'],
    ['too short', { handle: 'ab.test' }, 'InvalidHandle'],
    ['too long', { handle: `${'a'.repeat(19)}.test` }, 'InvalidHandle'],
    ['two labels in front', { handle: 'a.carol.test' }, 'InvalidHandle'],
    ['disallowed TLD', { handle: 'carol.local' }, 'InvalidHandle'],
    ['bad handle syntax', { handle: 'carol_.test' }, 'InvalidRequest'],
    ['taken email', { email: 'BOB@example.com' }, 'InvalidRequest'],
    ['bad email', { email: 'carol@' }, 'InvalidRequest'],
    ['no email', { email: undefined }, 'InvalidRequest'],
    ['no password', { password: undefined }, 'InvalidPassword'],
    ['long password', { password: 'x'.repeat(257) }, 'InvalidPassword'],
    ['bad recovery key', { recoveryKey: 'did:key:zNope' }, 'InvalidRequest'],
  ]
  for (const [name, change, error] of cases) {
    it(`${name} → 400 ${error}`, async () => {
      const res = await post('com.atproto.server.createAccount', { ...ok, ...change })
      expect([res.status, res.body?.error]).toEqual([400, error])
    })
  }

  it('an existing DID without a service-auth token from it → 401 (identity.test.ts moves one in)', async () => {
    const res = await post('com.atproto.server.createAccount', { ...ok, did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' })
    expect([res.status, res.body?.error]).toEqual([401, 'AuthenticationRequired'])
  })

  it('left nothing behind', async () => {
    const rows = t.pds.ctx.db.stmt('SELECT handle FROM account').all()
    expect(rows).toEqual([{ handle: 'bob.test' }])
  })

  it('malformed JSON is refused', async () => {
    const res = await fetch(`${t.url}/xrpc/com.atproto.server.createAccount`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"handle": "carol.test",',
    })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toBe('InvalidRequest')
  })
})

describe('plain routes', () => {
  it('/.well-known/atproto-did answers by Host for hosted handles only', async () => {
    const ask = (host: string) => t.pds.handle(new Request(`http://${host}/.well-known/atproto-did`))
    const hit = await ask('bob.test')
    expect(hit.status).toBe(200)
    expect(hit.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await hit.text()).toBe(did)
    expect(await (await ask('BOB.test:8080')).text()).toBe(did)
    expect((await ask('nobody.test')).status).toBe(404)
    expect((await ask('localhost')).status).toBe(404)
  })

  it('serves the banner, robots.txt and health', async () => {
    const banner = await fetch(`${t.url}/`)
    expect(banner.status).toBe(200)
    expect(await banner.text()).toMatch(/AT Protocol Personal Data Server/)
    expect(await (await fetch(`${t.url}/robots.txt`)).text()).toMatch(/User-agent: \*/)
    const health = await fetch(`${t.url}/xrpc/_health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ version: expect.any(String) })
    expect((await fetch(`${t.url}/nope`)).status).toBe(404)
    const unknown = await fetch(`${t.url}/xrpc/com.example.nothing`)
    expect([unknown.status, (await unknown.json()).error]).toEqual([501, 'MethodNotImplemented'])
  })
})
