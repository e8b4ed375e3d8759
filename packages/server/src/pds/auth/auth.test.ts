/**
 * Auth building blocks without HTTP: scrypt hashes, the admin Basic verifier, Authorization parsing, and
 * refresh rotation under concurrency (two refreshes of one token agree on one successor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSession, getRefreshToken, rotateRefreshToken } from '../accounts/sessions.ts'
import { insertAccount } from '../accounts/store.ts'
import { type PdsDatabase, openPdsDatabase } from '../db/index.ts'
import { hashPassword, verifyPassword } from './password.ts'
import { createAuthVerifiers, parseAuthorization } from './verifier.ts'

let db: PdsDatabase
const tokenKeys = { secret: new TextEncoder().encode('test secret of enough length'), serviceDid: 'did:web:pds.test' }
const settings = { keys: tokenKeys, accessTokenTtlMs: 60_000, refreshTokenTtlMs: 3_600_000, refreshGraceMs: 60_000 }

beforeAll(async () => {
  db = await openPdsDatabase({ url: 'sqlite::memory:' })
  insertAccount(db, {
    did: 'did:plc:alice',
    handle: 'alice.test',
    email: null,
    passwordHash: null,
    signingKey: '00',
    createdAt: new Date().toISOString(),
  })
})
afterAll(async () => {
  await db?.close()
})

const req = (authorization?: string) => ({
  nsid: 'x.y.z',
  params: {},
  req: new Request('http://pds.test/xrpc/x.y.z', { headers: authorization ? { authorization } : {} }),
})

describe('passwords', () => {
  it('hash/verify round trip; salts differ; wrong or malformed inputs are false', async () => {
    const [a, b] = await Promise.all([hashPassword('pässword'), hashPassword('pässword')])
    expect(a).toMatch(/^scrypt\$15\$8\$1\$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('pässword', a)).toBe(true)
    expect(await verifyPassword('pa\u0308ssword', a)).toBe(true) // NFKC: the same password typed differently
    expect(await verifyPassword('password', a)).toBe(false)
    for (const stored of [
      '',
      'scrypt$15$8$1$x',
      'bcrypt$...',
      a.replace('$15$', '$40$'),
      a.replace(/\$[^$]+$/, '$AAAA'),
    ]) {
      expect(await verifyPassword('pässword', stored)).toBe(false)
    }
  })
})

describe('verifiers', () => {
  it('parseAuthorization: none, bearer, basic; anything else is InvalidToken', () => {
    expect(parseAuthorization(req().req)).toBeNull()
    expect(parseAuthorization(req('Bearer abc').req)).toEqual({ type: 'bearer', value: 'abc' })
    expect(parseAuthorization(req('basic abc').req)).toEqual({ type: 'basic', value: 'abc' })
    for (const h of ['Bearer', 'Bearer a b', 'Token abc']) {
      expect(() => parseAuthorization(req(h).req)).toThrowError(
        expect.objectContaining({ status: 400, error: 'InvalidToken' }),
      )
    }
  })

  it('admin: only the configured password, and never when none is configured', async () => {
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`
    const v = createAuthVerifiers({ db, tokenKeys, adminPassword: 'hunter2' })
    expect(await v.admin()(req(basic('admin:hunter2')))).toEqual({ type: 'admin' })
    for (const h of [basic('admin:hunter3'), basic('root:hunter2'), basic('admin:'), 'Bearer x']) {
      await expect(Promise.resolve().then(() => v.admin()(req(h)))).rejects.toMatchObject({ status: 401 })
    }
    await expect(Promise.resolve().then(() => v.admin()(req()))).rejects.toMatchObject({
      status: 401,
      error: 'AuthMissing',
    })
    const none = createAuthVerifiers({ db, tokenKeys })
    await expect(Promise.resolve().then(() => none.admin()(req(basic('admin:'))))).rejects.toMatchObject({
      status: 401,
    })
    expect(await v.optional()(req())).toBeUndefined()
    expect(await v.optional()(req(basic('admin:hunter2')))).toEqual({ type: 'admin' })
  })

  it('access: status checks refuse taken-down and deactivated accounts, and unknown DIDs', async () => {
    const v = createAuthVerifiers({ db, tokenKeys })
    const { accessJwt } = await createSession(db, settings, 'did:plc:alice')
    const strict = v.access({ checkTakedown: true, checkDeactivated: true })
    expect(await strict(req(`Bearer ${accessJwt}`))).toMatchObject({
      type: 'access',
      did: 'did:plc:alice',
      scope: 'com.atproto.access',
    })
    db.stmt("UPDATE account SET deactivated_at = '2024-01-01T00:00:00.000Z' WHERE did = 'did:plc:alice'").run()
    await expect(strict(req(`Bearer ${accessJwt}`))).rejects.toMatchObject({ status: 401, error: 'AccountDeactivated' })
    expect(await v.access({ checkTakedown: true })(req(`Bearer ${accessJwt}`))).toMatchObject({ did: 'did:plc:alice' })
    db.stmt("UPDATE account SET deactivated_at = NULL, takedown_ref = 'ticket-1' WHERE did = 'did:plc:alice'").run()
    await expect(strict(req(`Bearer ${accessJwt}`))).rejects.toMatchObject({ status: 401, error: 'AccountTakedown' })
    db.stmt("UPDATE account SET takedown_ref = NULL WHERE did = 'did:plc:alice'").run()
    const ghost = await createSession(db, settings, 'did:plc:ghost').catch((e) => e)
    expect(ghost).toBeInstanceOf(Error) // refresh_token.did references account: no sessions for unknown DIDs
  })
})

describe('refresh rotation', () => {
  it('concurrent refreshes of one token yield one successor', async () => {
    const { refreshJwt } = await createSession(db, settings, 'did:plc:alice')
    const jti = JSON.parse(Buffer.from(refreshJwt.split('.')[1], 'base64url').toString()).jti
    const results = await Promise.all([1, 2, 3, 4].map(() => rotateRefreshToken(db, settings, jti)))
    const next = new Set(
      results.map((r) => JSON.parse(Buffer.from(r.refreshJwt.split('.')[1], 'base64url').toString()).jti),
    )
    expect(next.size).toBe(1)
    const [successor] = next
    expect(getRefreshToken(db, jti)?.next_id).toBe(successor)
    expect(getRefreshToken(db, successor)).toMatchObject({ did: 'did:plc:alice', next_id: null })
  })
})
