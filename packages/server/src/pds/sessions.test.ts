/**
 * Accounts and sessions through the official client (@atproto/api AtpAgent, unchanged) against a PDS on
 * loopback with a PLC directory: sign-up, login by handle/email/DID, refresh, getSession, logout, the DID
 * document the directory serves, and the XRPC errors for bad credentials and tokens.
 */
import { AtpAgent } from '@atproto/api'
import { getHandle, getPdsEndpoint, getSigningKey, parseDidDocument } from '@stratus/core/identity'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
const password = 'correct horse battery staple'

beforeAll(async () => {
  t = await startTestPds({ refreshGraceMs: 1000 })
})
afterAll(async () => {
  await t?.close()
})

async function xrpc(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.body) headers.set('content-type', 'application/json')
  const res = await fetch(`${t.url}/xrpc/${path}`, { ...init, headers })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
}

function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
}
function jwtHeader(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'))
}

describe('accounts and sessions with @atproto/api', () => {
  const agent = () => new AtpAgent({ service: t.url })
  let did: string

  it('creates an account whose did:plc document names this PDS, the signing key and the handle', async () => {
    const a = agent()
    const res = await a.createAccount({ handle: 'Alice.test', email: 'Alice@Example.com', password })
    did = res.data.did
    expect(res.data.handle).toBe('alice.test')
    expect(did).toMatch(/^did:plc:[a-z2-7]{24}$/)
    expect(a.session?.did).toBe(did)

    // The official directory renders the key in its legacy form; the identity parser reads both forms.
    const doc = parseDidDocument(await (await fetch(`${t.plc.url}/${did}`)).json(), did)
    expect(doc.id).toBe(did)
    expect(getHandle(doc)).toBe('alice.test')
    expect(getPdsEndpoint(doc)).toBe(t.url)
    expect(getSigningKey(doc)).toBe(t.pds.ctx.signingKey(did).did())
    const data = await (await fetch(`${t.plc.url}/${did}/data`)).json()
    expect(data.rotationKeys).toEqual([t.pds.ctx.keys.rotationKey.did()])
  })

  it('issues tokens shaped like the official PDS', async () => {
    const a = agent()
    await a.login({ identifier: 'alice.test', password })
    const access = a.session?.accessJwt as string
    const refresh = a.session?.refreshJwt as string
    expect(jwtHeader(access)).toEqual({ typ: 'at+jwt', alg: 'HS256' })
    expect(jwtHeader(refresh)).toEqual({ typ: 'refresh+jwt', alg: 'HS256' })
    const ap = jwtPayload(access)
    expect(ap).toMatchObject({ scope: 'com.atproto.access', sub: did, aud: 'did:web:localhost' })
    expect((ap.exp as number) - (ap.iat as number)).toBe(2 * 60 * 60)
    const rp = jwtPayload(refresh)
    expect(rp).toMatchObject({ scope: 'com.atproto.refresh', sub: did, aud: 'did:web:localhost' })
    expect(typeof rp.jti).toBe('string')
    expect((rp.exp as number) - (rp.iat as number)).toBe(90 * 24 * 60 * 60)
  })

  it('logs in by handle (any case), email and DID, and getSession reports the account', async () => {
    for (const identifier of ['ALICE.test', 'alice@example.com', did]) {
      const a = agent()
      const res = await a.login({ identifier, password })
      expect(res.data).toMatchObject({ did, handle: 'alice.test', email: 'alice@example.com', active: true })
      const s = await a.com.atproto.server.getSession()
      expect(s.data).toMatchObject({
        did,
        handle: 'alice.test',
        email: 'alice@example.com',
        emailConfirmed: false,
        active: true,
      })
    }
  })

  it('refreshes: new tokens, and the agent refreshes by itself when the access token expired', async () => {
    const a = agent()
    await a.login({ identifier: 'alice.test', password })
    const before = a.session?.refreshJwt
    await a.sessionManager.refreshSession()
    expect(a.session?.refreshJwt).not.toBe(before)
    expect(a.session?.did).toBe(did)

    const expired = await forgeAccessToken(did, -10)
    a.sessionManager.session = { ...(a.session as NonNullable<typeof a.session>), accessJwt: expired }
    const s = await a.com.atproto.server.getSession()
    expect(s.data.did).toBe(did)
    expect(a.session?.accessJwt).not.toBe(expired)
  })

  it('logout revokes the refresh token (and its predecessor still in grace)', async () => {
    const a = agent()
    await a.login({ identifier: 'alice.test', password })
    const first = a.session?.refreshJwt as string
    await a.sessionManager.refreshSession()
    const second = a.session?.refreshJwt as string
    await a.logout()
    for (const token of [second, first]) {
      const r = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token })
      expect(r.status).toBe(400)
      expect(r.body.error).toBe('ExpiredToken')
    }
  })
})

describe('refresh rotation', () => {
  it('a reused refresh token gets the same successor inside the grace window, ExpiredToken after it', async () => {
    const login = await xrpc('com.atproto.server.createSession', {
      method: 'POST',
      body: JSON.stringify({ identifier: 'alice.test', password }),
    })
    const old = login.body.refreshJwt
    const r1 = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: old })
    const r2 = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: old })
    expect(r1.status).toBe(200)
    expect(r2.status).toBe(200)
    expect(jwtPayload(r2.body.refreshJwt).jti).toBe(jwtPayload(r1.body.refreshJwt).jti)
    expect(jwtPayload(r1.body.refreshJwt).jti).not.toBe(jwtPayload(old).jti)
    await new Promise((r) => setTimeout(r, 1200))
    const late = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: old })
    expect(late.status).toBe(400)
    expect(late.body.error).toBe('ExpiredToken')
    // The successor itself is unaffected.
    const next = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: r1.body.refreshJwt })
    expect(next.status).toBe(200)
  })
})

describe('refusals', () => {
  it('wrong password and unknown account: 401 with the same message', async () => {
    const a = await xrpc('com.atproto.server.createSession', {
      method: 'POST',
      body: JSON.stringify({ identifier: 'alice.test', password: 'wrong' }),
    })
    const b = await xrpc('com.atproto.server.createSession', {
      method: 'POST',
      body: JSON.stringify({ identifier: 'nobody.test', password }),
    })
    expect(a.status).toBe(401)
    expect(b.status).toBe(401)
    expect(a.body).toEqual({ error: 'AuthenticationRequired', message: 'Invalid identifier or password' })
    expect(b.body).toEqual(a.body)
  })

  it('no token: 401 AuthMissing; garbage, foreign-secret, wrong-type and expired tokens: 400', async () => {
    const did = (await t.pds.ctx.db.stmt('SELECT did FROM account LIMIT 1').get()) as { did: string }
    const login = await xrpc('com.atproto.server.createSession', {
      method: 'POST',
      body: JSON.stringify({ identifier: 'alice.test', password }),
    })
    const cases: [string | undefined, string, number, string][] = [
      [undefined, 'com.atproto.server.getSession', 401, 'AuthMissing'],
      ['not.a.jwt', 'com.atproto.server.getSession', 400, 'InvalidToken'],
      [
        await forgeAccessToken(did.did, 3600, 'another secret entirely'),
        'com.atproto.server.getSession',
        400,
        'InvalidToken',
      ],
      [login.body.refreshJwt, 'com.atproto.server.getSession', 400, 'InvalidToken'],
      [login.body.accessJwt, 'com.atproto.server.refreshSession', 400, 'InvalidToken'],
      [await forgeAccessToken(did.did, -5), 'com.atproto.server.getSession', 400, 'ExpiredToken'],
    ]
    for (const [token, nsid, status, error] of cases) {
      const method = nsid.endsWith('getSession') ? 'GET' : 'POST'
      const r = await xrpc(nsid, { method, token })
      expect([nsid, r.status, r.body?.error]).toEqual([nsid, status, error])
    }
    const basic = await fetch(`${t.url}/xrpc/com.atproto.server.getSession`, {
      headers: { authorization: 'Digest abc' },
    })
    expect(basic.status).toBe(400)
    expect((await basic.json()).error).toBe('InvalidToken')
  })

  it('an expired refresh token cannot refresh but can still log out', async () => {
    const { did } = (await t.pds.ctx.db.stmt('SELECT did FROM account LIMIT 1').get()) as { did: string }
    const secret = t.pds.ctx.keys.jwtSecret
    const now = Math.floor(Date.now() / 1000)
    const expired = await new SignJWT({ scope: 'com.atproto.refresh' })
      .setProtectedHeader({ typ: 'refresh+jwt', alg: 'HS256' })
      .setAudience('did:web:localhost')
      .setSubject(did)
      .setJti('some-old-token-id')
      .setIssuedAt(now - 100)
      .setExpirationTime(now - 10)
      .sign(secret)
    const r = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: expired })
    expect([r.status, r.body.error]).toEqual([400, 'ExpiredToken'])
    const out = await xrpc('com.atproto.server.deleteSession', { method: 'POST', token: expired })
    expect(out.status).toBe(200)
  })
})

/** An access token signed with the PDS secret (or `secret`), expiring `ttlSeconds` from now (negative: past). */
async function forgeAccessToken(did: string, ttlSeconds: number, secret?: string): Promise<string> {
  const key = secret ? new TextEncoder().encode(secret) : t.pds.ctx.keys.jwtSecret
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ scope: 'com.atproto.access' })
    .setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' })
    .setAudience('did:web:localhost')
    .setSubject(did)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now + ttlSeconds)
    .sign(key)
}
