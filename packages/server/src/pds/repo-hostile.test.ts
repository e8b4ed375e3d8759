/**
 * Hostile and broken requests to the repo write methods: malformed JSON, wrong media types, deep nesting,
 * records failing their lexicon, bad identifiers, oversized bodies and blobs, missing / malformed / forged /
 * expired / wrong-type tokens, writes to another account's repository, and writes by deactivated or
 * taken-down accounts. Each gets its XRPC error, and neither account's stored state changes (head commit,
 * blocks, records, backlinks, blobs, blob links, firehose events).
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newAccount, snapshot, xrpc } from './repo/test-helpers.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let alice: { did: string; token: string; refresh: string }
let bob: { did: string; handle: string; token: string }

const post = { $type: 'app.bsky.feed.post', text: 'hello', createdAt: '2024-01-01T00:00:00.000Z' }

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false, blobUploadLimit: 64 * 1024 })
  const a = await newAccount(t, 'alice')
  const b = await newAccount(t, 'bob')
  alice = { did: a.did, token: a.agent.session?.accessJwt as string, refresh: a.agent.session?.refreshJwt as string }
  bob = { did: b.did, handle: b.handle, token: b.agent.session?.accessJwt as string }
  await a.agent.post({ text: 'existing' })
  await b.agent.post({ text: 'existing' })
})
afterAll(async () => {
  await t?.close()
})

/** Runs `fn` and checks that it changed nothing for either account. */
async function unchanged(fn: () => Promise<void>): Promise<void> {
  const before = [snapshot(t, alice.did), snapshot(t, bob.did)]
  await fn()
  expect([snapshot(t, alice.did), snapshot(t, bob.did)]).toEqual(before)
}

async function token(claims: {
  sub: string
  scope?: string
  exp: number
  typ?: string
  secret?: string
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ scope: claims.scope ?? 'com.atproto.access' })
    .setProtectedHeader({ typ: claims.typ ?? 'at+jwt', alg: 'HS256' })
    .setAudience(t.pds.ctx.cfg.serviceDid)
    .setSubject(claims.sub)
    .setIssuedAt(now - 7200)
    .setExpirationTime(now + claims.exp)
    .sign(claims.secret ? new TextEncoder().encode(claims.secret) : t.pds.ctx.keys.jwtSecret)
}

const create = (body: unknown, tok = alice.token, contentType?: string) =>
  xrpc(t, 'com.atproto.repo.createRecord', { token: tok, body, contentType })

describe('malformed requests', () => {
  const cases: [string, () => Promise<{ status: number; body: { error: string } }>, number, string][] = [
    ['truncated JSON', () => create('{"repo": "x", "collection": '), 400, 'InvalidRequest'],
    ['not JSON at all', () => create('\u0000\u0001binary'), 400, 'InvalidRequest'],
    ['JSON nested 100 000 deep', () => create(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 400, 'InvalidRequest'],
    [
      'a wrong media type',
      () => create(JSON.stringify({ repo: 'x' }), alice.token, 'text/plain'),
      400,
      'InvalidRequest',
    ],
    ['no record', () => create({ repo: 'x', collection: 'app.bsky.feed.post' }), 400, 'InvalidRequest'],
    [
      'a record that is not an object',
      () => create({ repo: 'x', collection: 'app.bsky.feed.post', record: 'text' }),
      400,
      'InvalidRequest',
    ],
    [
      'a bad collection NSID',
      () => create({ repo: 'x', collection: 'not an nsid', record: {} }),
      400,
      'InvalidRequest',
    ],
    [
      'a bad record key',
      () => create({ repo: 'x', collection: 'com.example.a', rkey: '../up', record: {} }),
      400,
      'InvalidRequest',
    ],
    [
      'a bad swapCommit',
      () => create({ repo: 'x', collection: 'com.example.a', record: {}, swapCommit: 'nope' }),
      400,
      'InvalidRequest',
    ],
    [
      'an unknown applyWrites op',
      () =>
        xrpc(t, 'com.atproto.repo.applyWrites', {
          token: alice.token,
          body: {
            repo: 'x',
            writes: [{ $type: 'com.atproto.repo.applyWrites#upsert', collection: 'com.example.a', value: {} }],
          },
        }),
      400,
      'InvalidRequest',
    ],
  ]
  for (const [name, send, status, error] of cases) {
    it(`${name} → ${status} ${error}`, async () => {
      await unchanged(async () => {
        const res = await send()
        expect([res.status, res.body.error]).toEqual([status, error])
      })
    })
  }

  it('records failing their lexicon → 400 with the path of the problem', async () => {
    await unchanged(async () => {
      const res = await create({
        repo: alice.did,
        collection: 'app.bsky.feed.post',
        record: { ...post, text: 'x'.repeat(3001) },
      })
      expect([res.status, res.body.error]).toEqual([400, 'InvalidRequest'])
      expect(res.body.message).toMatch(/text/)
      const like = await create({
        repo: alice.did,
        collection: 'app.bsky.feed.like',
        record: { subject: 'at://x', createdAt: post.createdAt },
      })
      expect([like.status, like.body.error]).toEqual([400, 'InvalidRequest'])
    })
  })

  it('an oversized body → 413 before it is read', async () => {
    await unchanged(async () => {
      const res = await create({
        repo: alice.did,
        collection: 'com.example.a',
        record: { s: 'x'.repeat(2 * 1024 * 1024) },
      })
      expect([res.status, res.body.error]).toEqual([413, 'PayloadTooLarge'])
    })
  })

  it('an oversized blob → 413, no row and no file left behind', async () => {
    await unchanged(async () => {
      const res = await xrpc(t, 'com.atproto.repo.uploadBlob', {
        token: alice.token,
        body: new Uint8Array(64 * 1024 + 1),
        contentType: 'image/png',
      })
      expect([res.status, res.body.error]).toEqual([413, 'PayloadTooLarge'])
      // Streamed without Content-Length: the limit applies while reading.
      const stream = new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(8 * 1024))
          c.close()
        },
      })
      const chunked = await fetch(`${t.url}/xrpc/com.atproto.repo.uploadBlob`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'video/mp4' },
        body: stream,
        duplex: 'half',
      } as RequestInit)
      expect(chunked.status).toBe(413)
    })
    expect(readdirSync(join(t.dataDir, 'blobs', '.tmp'))).toEqual([])
  })
})

describe('credentials', () => {
  const body = () => ({ repo: alice.did, collection: 'app.bsky.feed.post', record: post })
  const cases: [string, () => Promise<Record<string, string>>, number, string][] = [
    ['no Authorization header', async () => ({}), 401, 'AuthMissing'],
    ['a malformed Authorization header', async () => ({ authorization: 'Bearer' }), 400, 'InvalidToken'],
    ['a garbage token', async () => ({ authorization: 'Bearer not.a.jwt' }), 400, 'InvalidToken'],
    [
      'a token signed with another secret',
      async () => ({ authorization: `Bearer ${await token({ sub: alice.did, exp: 600, secret: 'x'.repeat(32) })}` }),
      400,
      'InvalidToken',
    ],
    [
      'an expired token',
      async () => ({ authorization: `Bearer ${await token({ sub: alice.did, exp: -60 })}` }),
      400,
      'ExpiredToken',
    ],
    ['a refresh token', async () => ({ authorization: `Bearer ${alice.refresh}` }), 400, 'InvalidToken'],
    [
      'Basic auth',
      async () => ({ authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` }),
      400,
      'InvalidToken',
    ],
  ]
  for (const [name, headers, status, error] of cases) {
    it(`${name} → ${status} ${error}`, async () => {
      const h = await headers()
      await unchanged(async () => {
        const res = await xrpc(t, 'com.atproto.repo.createRecord', { body: body(), headers: h })
        expect([res.status, res.body.error]).toEqual([status, error])
        const blob = await xrpc(t, 'com.atproto.repo.uploadBlob', {
          body: new Uint8Array(10),
          contentType: 'image/png',
          headers: h,
        })
        expect([blob.status, blob.body.error]).toEqual([status, error])
      })
    })
  }
})

describe("another account's repository", () => {
  const methods: [string, (repo: string) => unknown][] = [
    ['createRecord', (repo) => ({ repo, collection: 'app.bsky.feed.post', record: post })],
    ['putRecord', (repo) => ({ repo, collection: 'app.bsky.actor.profile', rkey: 'self', record: {} })],
    ['deleteRecord', (repo) => ({ repo, collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaa22' })],
    [
      'applyWrites',
      (repo) => ({
        repo,
        writes: [{ $type: 'com.atproto.repo.applyWrites#create', collection: 'com.example.a', value: {} }],
      }),
    ],
  ]
  for (const [method, body] of methods) {
    it(`${method} naming bob (by DID and by handle) with alice's token → 403`, async () => {
      await unchanged(async () => {
        for (const repo of [bob.did, bob.handle]) {
          const res = await xrpc(t, `com.atproto.repo.${method}`, { token: alice.token, body: body(repo) })
          expect([res.status, res.body.error]).toEqual([403, 'Forbidden'])
        }
        const missing = await xrpc(t, `com.atproto.repo.${method}`, { token: alice.token, body: body('nobody.test') })
        expect([missing.status, missing.body.error]).toEqual([400, 'InvalidRequest'])
      })
    })
  }
})

describe('inactive accounts', () => {
  for (const [column, error] of [
    ['deactivated_at', 'AccountDeactivated'],
    ['takedown_ref', 'AccountTakedown'],
  ] as const) {
    it(`${column} set → 401 ${error}, nothing written`, async () => {
      const db = t.pds.ctx.db
      db.stmt(`UPDATE account SET ${column} = ? WHERE did = ?`).run('2024-01-01T00:00:00.000Z', alice.did)
      try {
        await unchanged(async () => {
          const res = await create({ repo: alice.did, collection: 'app.bsky.feed.post', record: post })
          expect([res.status, res.body.error]).toEqual([401, error])
        })
      } finally {
        db.stmt(`UPDATE account SET ${column} = NULL WHERE did = ?`).run(alice.did)
      }
      const ok = await create({ repo: alice.did, collection: 'app.bsky.feed.post', record: post })
      expect(ok.status).toBe(200)
    })
  }
})

describe('write rate limits', () => {
  it('spends write points per account and answers 429 when they run out', async () => {
    const limited = await startTestPds(
      {},
      { limits: { writePointsHourly: { limit: 7, windowMs: 3_600_000 } }, plc: t.plc },
    )
    try {
      const a = await newAccount(limited, 'carol')
      const tok = a.agent.session?.accessJwt as string
      const send = () =>
        xrpc(limited, 'com.atproto.repo.createRecord', {
          token: tok,
          body: { repo: a.did, collection: 'app.bsky.feed.post', record: post },
        })
      expect((await send()).status).toBe(200)
      expect((await send()).status).toBe(200)
      const third = await send()
      expect([third.status, third.body.error]).toEqual([429, 'RateLimitExceeded'])
      // A delete costs 1 point: still within the remaining budget.
      const del = await xrpc(limited, 'com.atproto.repo.deleteRecord', {
        token: tok,
        body: { repo: a.did, collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaa22' },
      })
      expect(del.status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})
