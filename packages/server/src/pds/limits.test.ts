/**
 * Rate limits on createSession (per IP and per identifier), createAccount (per IP), and per account on
 * updateHandle and the emailed-token requests: past the limit, 429 RateLimitExceeded with RateLimit-*
 * headers, and the refused call does no work. With rate limits disabled nothing is limited.
 */
import { AtpAgent } from '@atproto/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLimiters, enforceWritePoints } from './limits.ts'
import { readMails, waitForMail } from './test-mail.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds

beforeAll(async () => {
  t = await startTestPds(
    {},
    {
      limits: {
        loginPerAccount: { limit: 2, windowMs: 60_000 },
        loginPerIp: { limit: 4, windowMs: 60_000 },
        createAccountPerIp: { limit: 2, windowMs: 60_000 },
      },
    },
  )
})
afterAll(async () => {
  await t?.close()
})

const post = (nsid: string, body: unknown) =>
  fetch(`${t.url}/xrpc/${nsid}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('rate limits', () => {
  it('createSession: per identifier, then per IP', async () => {
    const login = (identifier: string) => post('com.atproto.server.createSession', { identifier, password: 'wrong' })
    expect((await login('someone.test')).status).toBe(401)
    expect((await login('SOMEONE.test')).status).toBe(401)
    const third = await login('someone.test')
    expect(third.status).toBe(429)
    expect((await third.json()).error).toBe('RateLimitExceeded')
    expect(third.headers.get('ratelimit-limit')).toBe('2')
    expect(third.headers.get('ratelimit-remaining')).toBe('0')
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    // The IP has now spent 3 of 4; one more identifier passes the account limit, then the IP limit bites.
    expect((await login('other.test')).status).toBe(401)
    const ipLimited = await login('third.test')
    expect(ipLimited.status).toBe(429)
    expect(ipLimited.headers.get('ratelimit-limit')).toBe('4')
  })

  it('createAccount: per IP, counted before the input is even looked at', async () => {
    expect((await post('com.atproto.server.createAccount', { handle: 'x.test' })).status).toBe(400)
    expect((await post('com.atproto.server.createAccount', { handle: 'y.test' })).status).toBe(400)
    const res = await post('com.atproto.server.createAccount', {
      handle: 'dave.test',
      email: 'd@example.com',
      password: 'pw',
    })
    expect(res.status).toBe(429)
    expect(t.pds.ctx.db.stmt('SELECT count(*) AS n FROM account').get()).toEqual({ n: 0 })
  })

  it('write points: hourly budget per account', () => {
    const limits = createLimiters(true, { writePointsHourly: { limit: 10, windowMs: 60_000 } })
    enforceWritePoints(limits, 'did:plc:a', 9)
    expect(() => enforceWritePoints(limits, 'did:plc:a', 3)).toThrowError(expect.objectContaining({ status: 429 }))
    enforceWritePoints(limits, 'did:plc:b', 3)
  })

  it('disabled: no limiters at all', () => {
    const limits = createLimiters(false)
    expect(Object.keys(limits)).toEqual([])
    for (let i = 0; i < 100_000; i += 1000) enforceWritePoints(limits, 'did:plc:a', 1000)
  })
})

describe('per-account limits', () => {
  let p: TestPds
  beforeAll(async () => {
    p = await startTestPds(
      {},
      { limits: { handleUpdates: { limit: 2, windowMs: 60_000 }, emailTokens: { limit: 2, windowMs: 60_000 } } },
    )
  }, 60_000)
  afterAll(async () => {
    await p?.close()
  })

  const signUp = async (handle: string) => {
    const agent = new AtpAgent({ service: p.url })
    await agent.createAccount({ handle, email: `${handle.split('.')[0]}@example.com`, password: 'pw' })
    return agent
  }
  const status = (call: Promise<unknown>) =>
    call.then(
      () => 200,
      (err: { status?: number; error?: string }) => `${err.status} ${err.error}`,
    )

  it('updateHandle: per account; the refused change is not made', async () => {
    const [ann, ben] = [await signUp('ann.test'), await signUp('ben.test')]
    expect(await status(ann.updateHandle({ handle: 'ann2.test' }))).toBe(200)
    expect(await status(ann.updateHandle({ handle: 'ann3.test' }))).toBe(200)
    expect(await status(ann.updateHandle({ handle: 'ann4.test' }))).toBe('429 RateLimitExceeded')
    const resolved = await fetch(`${p.url}/xrpc/com.atproto.identity.resolveHandle?handle=ann4.test`)
    expect(resolved.status).toBe(400)
    expect(await status(ben.updateHandle({ handle: 'ben2.test' }))).toBe(200)
  })

  it('emailed tokens: one budget per account across the request methods; no mail past it', async () => {
    const cat = await signUp('cat.test')
    const mails = () => readMails(p.dataDir).filter((m) => m.to === 'cat@example.com')
    const before = readMails(p.dataDir).length
    expect(await status(cat.com.atproto.server.requestEmailConfirmation())).toBe(200)
    expect(await status(cat.com.atproto.identity.requestPlcOperationSignature())).toBe(200)
    expect(await status(cat.com.atproto.server.requestAccountDelete())).toBe('429 RateLimitExceeded')
    expect(await status(cat.com.atproto.server.requestEmailUpdate())).toBe('429 RateLimitExceeded')
    await waitForMail(p.dataDir, 'cat@example.com', 'plc_operation', before)
    await new Promise((r) => setTimeout(r, 200)) // a refused request's mail would have landed by now
    expect(
      mails()
        .map((m) => m.kind)
        .sort(),
    ).toEqual(['confirm_email', 'plc_operation'])
  })
})
