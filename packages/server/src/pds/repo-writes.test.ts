/**
 * The repo write methods' semantics: applyWrites atomicity (one failing op → nothing written, not even
 * blocks or events), swapCommit / swapRecord compare-and-swap (InvalidSwap), the `validate` parameter
 * (true / unset / false, known and unknown NSIDs), record-key rules from the lexicons, TID keys, the
 * putRecord and deleteRecord no-ops, duplicate likes/follows replaced, size and count limits, and that the
 * stored blocks are exactly those reachable from the head commit (checked with @atproto/repo's CAR reader).
 */
import { readCarWithRoot, verifyRepoCar } from '@atproto/repo'
import { exportRepoCarBytes } from '@stratus/core/repo'
import { CID } from '@stratus/core/data'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newAccount, snapshot, xrpc } from './repo/test-helpers.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let did: string
let token: string

const post = (text: string) => ({ $type: 'app.bsky.feed.post', text, createdAt: new Date().toISOString() })
const call = (nsid: string, body: unknown) => xrpc(t, nsid, { token, body })

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  const a = await newAccount(t, 'writer')
  did = a.did
  token = a.agent.session?.accessJwt as string
})
afterAll(async () => {
  await t?.close()
})

describe('account creation', () => {
  it('stores an empty signed first commit and sequences #identity, #account, #commit in that order', async () => {
    const { did: fresh } = await newAccount(t, 'fresh')
    const root = t.pds.ctx.repo?.getRoot(fresh)
    const events = t.pds.ctx.db.sqlite.prepare('SELECT type FROM repo_event WHERE did = ? ORDER BY seq').all(fresh)
    expect(events).toEqual([{ type: 'identity' }, { type: 'account' }, { type: 'commit' }])
    const store = t.pds.ctx.repo?.blockStore(fresh)
    if (!root || !store) throw new Error('no repo')
    const verified = await verifyRepoCar(exportRepoCarBytes(store, root.cid), fresh, t.pds.ctx.signingKey(fresh).did())
    expect(verified.creates).toEqual([])
    expect(store.countBlocks()).toBe(2) // the commit and the empty root node
  })
})

describe('applyWrites', () => {
  it('applies creates, updates and deletes as one commit with results in order', async () => {
    const before = t.pds.ctx.repo?.getRoot(did)
    const res = await call('com.atproto.repo.applyWrites', {
      repo: did,
      writes: [
        {
          $type: 'com.atproto.repo.applyWrites#create',
          collection: 'app.bsky.feed.post',
          rkey: '3kaaaaaaaaa22',
          value: post('a'),
        },
        { $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', value: post('b') },
        { $type: 'com.atproto.repo.applyWrites#create', collection: 'com.example.thing', rkey: 'k1', value: { n: 1 } },
      ],
    })
    expect(res.status).toBe(200)
    expect(
      res.body.results.map((r: { $type: string; validationStatus: string }) => [r.$type, r.validationStatus]),
    ).toEqual([
      ['com.atproto.repo.applyWrites#createResult', 'valid'],
      ['com.atproto.repo.applyWrites#createResult', 'valid'],
      ['com.atproto.repo.applyWrites#createResult', 'unknown'],
    ])
    expect(res.body.commit.rev > (before?.rev as string)).toBe(true)
    expect(t.pds.ctx.repo?.getRoot(did)?.cid.toString()).toBe(res.body.commit.cid)
    const second = await call('com.atproto.repo.applyWrites', {
      repo: did,
      writes: [
        { $type: 'com.atproto.repo.applyWrites#update', collection: 'com.example.thing', rkey: 'k1', value: { n: 2 } },
        { $type: 'com.atproto.repo.applyWrites#delete', collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaa22' },
      ],
    })
    expect(second.status).toBe(200)
    expect(second.body.results).toEqual([
      expect.objectContaining({
        $type: 'com.atproto.repo.applyWrites#updateResult',
        uri: `at://${did}/com.example.thing/k1`,
      }),
      { $type: 'com.atproto.repo.applyWrites#deleteResult' },
    ])
    const thing = await xrpc(t, 'com.atproto.repo.getRecord', {
      query: { repo: did, collection: 'com.example.thing', rkey: 'k1' },
    })
    expect(thing.body.value).toEqual({ $type: 'com.example.thing', n: 2 })
  })

  const failing: [string, unknown[], string, RegExp][] = [
    [
      'an invalid record',
      [{ collection: 'app.bsky.feed.post', value: { text: 5 } }],
      'InvalidRequest',
      /Invalid app.bsky.feed.post record/,
    ],
    [
      'an update of a missing record',
      [{ $op: 'update', collection: 'app.bsky.feed.post', rkey: '3kbbbbbbbbb22', value: post('x') }],
      'InvalidRequest',
      /Could not find record/,
    ],
    [
      'a delete of a missing record',
      [{ $op: 'delete', collection: 'app.bsky.feed.post', rkey: '3kbbbbbbbbb22' }],
      'InvalidRequest',
      /Could not find record/,
    ],
    [
      'a create on an existing key',
      [{ collection: 'com.example.thing', rkey: 'k1', value: { n: 3 } }],
      'InvalidRequest',
      /already exists/,
    ],
    [
      'two writes to one key',
      [
        { collection: 'com.example.thing', rkey: 'k2', value: {} },
        { collection: 'com.example.thing', rkey: 'k2', value: {} },
      ],
      'InvalidRequest',
      /more than one write/,
    ],
    [
      'an unknown blob',
      [
        {
          collection: 'com.example.thing',
          value: {
            b: {
              $type: 'blob',
              ref: { $link: 'bafkreigectgq4icn5f2pon2ty7ri25ry46zwsg5ywgrlvnvslo375v6oo4' },
              mimeType: 'image/png',
              size: 1,
            },
          },
        },
      ],
      'BlobNotFound',
      /Could not find blob/,
    ],
    [
      'a wrong $type',
      [{ collection: 'com.example.thing', value: { $type: 'com.example.other' } }],
      'InvalidRequest',
      /Invalid \$type/,
    ],
  ]
  for (const [name, bad, error, message] of failing) {
    it(`writes nothing when one op is ${name}`, async () => {
      const before = snapshot(t, did)
      const writes = [
        {
          $type: 'com.atproto.repo.applyWrites#create',
          collection: 'app.bsky.feed.post',
          value: post('would be written'),
        },
        ...bad.map((w) => {
          const { $op, ...rest } = w as { $op?: string }
          return { $type: `com.atproto.repo.applyWrites#${$op ?? 'create'}`, ...rest }
        }),
      ]
      const res = await call('com.atproto.repo.applyWrites', { repo: did, writes })
      expect([res.status, res.body.error]).toEqual([400, error])
      expect(res.body.message).toMatch(message)
      expect(snapshot(t, did)).toEqual(before)
    })
  }

  it('refuses more than 200 writes', async () => {
    const writes = Array.from({ length: 201 }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create',
      collection: 'com.example.thing',
      rkey: `many${i}`,
      value: {},
    }))
    const before = snapshot(t, did)
    const res = await call('com.atproto.repo.applyWrites', { repo: did, writes })
    expect([res.status, res.body.error, res.body.message]).toEqual([400, 'InvalidRequest', 'Too many writes. Max: 200'])
    expect(snapshot(t, did)).toEqual(before)
    const ok = await call('com.atproto.repo.applyWrites', { repo: did, writes: writes.slice(0, 200) })
    expect(ok.status).toBe(200)
  })
})

describe('compare-and-swap', () => {
  it('swapCommit must name the current commit', async () => {
    const head = t.pds.ctx.repo?.getRoot(did)?.cid.toString() as string
    const ok = await call('com.atproto.repo.createRecord', {
      repo: did,
      collection: 'app.bsky.feed.post',
      record: post('cas'),
      swapCommit: head,
    })
    expect(ok.status).toBe(200)
    const before = snapshot(t, did)
    const stale = await call('com.atproto.repo.createRecord', {
      repo: did,
      collection: 'app.bsky.feed.post',
      record: post('stale'),
      swapCommit: head,
    })
    expect([stale.status, stale.body.error]).toEqual([400, 'InvalidSwap'])
    const staleBatch = await call('com.atproto.repo.applyWrites', { repo: did, swapCommit: head, writes: [] })
    expect(staleBatch.body.error).toBe('InvalidSwap')
    expect(snapshot(t, did)).toEqual(before)
  })

  it('swapRecord on putRecord and deleteRecord', async () => {
    const first = await call('com.atproto.repo.putRecord', {
      repo: did,
      collection: 'com.example.cas',
      rkey: 'r',
      record: { v: 1 },
      swapRecord: null,
    })
    expect(first.status).toBe(200)
    const before = snapshot(t, did)
    const exists = await call('com.atproto.repo.putRecord', {
      repo: did,
      collection: 'com.example.cas',
      rkey: 'r',
      record: { v: 2 },
      swapRecord: null,
    })
    expect(exists.body.error).toBe('InvalidSwap')
    const wrong = await call('com.atproto.repo.putRecord', {
      repo: did,
      collection: 'com.example.cas',
      rkey: 'r',
      record: { v: 2 },
      swapRecord: first.body.commit.cid,
    })
    expect(wrong.body.error).toBe('InvalidSwap')
    const del = await call('com.atproto.repo.deleteRecord', {
      repo: did,
      collection: 'com.example.cas',
      rkey: 'r',
      swapRecord: first.body.commit.cid,
    })
    expect(del.body.error).toBe('InvalidSwap')
    expect(snapshot(t, did)).toEqual(before)
    const right = await call('com.atproto.repo.putRecord', {
      repo: did,
      collection: 'com.example.cas',
      rkey: 'r',
      record: { v: 2 },
      swapRecord: first.body.cid,
    })
    expect(right.status).toBe(200)
    const gone = await call('com.atproto.repo.deleteRecord', {
      repo: did,
      collection: 'com.example.cas',
      rkey: 'r',
      swapRecord: right.body.cid,
    })
    expect(gone.status).toBe(200)
    expect(gone.body.commit.cid).toBe(t.pds.ctx.repo?.getRoot(did)?.cid.toString())
  })
})

describe('validation and record keys', () => {
  const create = (collection: string, record: unknown, extra: Record<string, unknown> = {}) =>
    call('com.atproto.repo.createRecord', { repo: did, collection, record, ...extra })

  it('validate unset: known lexicons checked, unknown NSIDs accepted as unknown', async () => {
    expect((await create('app.bsky.feed.post', post('ok'))).body.validationStatus).toBe('valid')
    expect((await create('com.example.free', { anything: ['goes', 1] })).body.validationStatus).toBe('unknown')
    const bad = await create('app.bsky.feed.post', { text: 'no date' })
    expect([bad.status, bad.body.error]).toEqual([400, 'InvalidRequest'])
    expect(bad.body.message).toMatch(/createdAt/)
  })

  it('validate true requires a schema; validate false skips it', async () => {
    const unknown = await create('com.example.free', {}, { validate: true })
    expect([unknown.status, unknown.body.message]).toEqual([400, 'Unknown lexicon type: com.example.free'])
    const skipped = await create('app.bsky.feed.post', { text: 'no date' }, { validate: false })
    expect(skipped.status).toBe(200)
    expect(skipped.body.validationStatus).toBeUndefined()
  })

  it('enforces lexicon record keys and fills in TIDs', async () => {
    expect(
      (
        await call('com.atproto.repo.putRecord', {
          repo: did,
          collection: 'app.bsky.actor.profile',
          rkey: 'other',
          record: {},
        })
      ).body.message,
    ).toMatch(/Invalid record key for app.bsky.actor.profile/)
    expect((await create('app.bsky.feed.post', post('x'), { rkey: 'not-a-tid' })).body.message).toMatch(/must be tid/)
    const tids = [] as string[]
    for (let i = 0; i < 3; i++) tids.push((await create('app.bsky.feed.post', post(`t${i}`))).body.uri.split('/').pop())
    expect([...tids].sort()).toEqual(tids)
    for (const k of tids) expect(k).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/)
  })

  it('refuses floats, legacy blob refs, and records over 1 MB', async () => {
    expect((await create('com.example.free', { f: 1.5 })).body.error).toBe('InvalidRequest')
    expect(
      (
        await create('com.example.free', {
          img: { cid: 'bafkreigectgq4icn5f2pon2ty7ri25ry46zwsg5ywgrlvnvslo375v6oo4', mimeType: 'image/png' },
        })
      ).body.message,
    ).toMatch(/Legacy blobs/)
    const before = snapshot(t, did)
    const big = await xrpc(t, 'com.atproto.repo.createRecord', {
      token,
      body: { repo: did, collection: 'com.example.free', record: { s: 'x'.repeat(1_000_100) } },
    })
    expect([big.status, big.body.error]).toEqual([400, 'InvalidRequest'])
    expect(big.body.message).toMatch(/Record too large/)
    const huge = await xrpc(t, 'com.atproto.repo.createRecord', {
      token,
      body: { repo: did, collection: 'com.example.free', record: { s: 'x'.repeat(3 * 1024 * 1024) } },
    })
    expect([huge.status, huge.body.error]).toEqual([413, 'PayloadTooLarge'])
    expect(snapshot(t, did)).toEqual(before)
  })
})

describe('no-ops and duplicates', () => {
  it('putRecord with the stored record and deleteRecord of a missing record write nothing', async () => {
    const rec = { $type: 'app.bsky.actor.profile', displayName: 'Same' }
    const first = await call('com.atproto.repo.putRecord', {
      repo: did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: rec,
    })
    const before = snapshot(t, did)
    const again = await call('com.atproto.repo.putRecord', {
      repo: did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: rec,
    })
    expect(again.body).toEqual({ uri: first.body.uri, cid: first.body.cid, validationStatus: 'valid' })
    const del = await call('com.atproto.repo.deleteRecord', {
      repo: did,
      collection: 'app.bsky.feed.post',
      rkey: '3kzzzzzzzzz22',
    })
    expect([del.status, del.body]).toEqual([200, {}])
    expect(snapshot(t, did)).toEqual(before)
  })

  it('a second like of the same subject replaces the first (one commit)', async () => {
    const target = await call('com.atproto.repo.createRecord', {
      repo: did,
      collection: 'app.bsky.feed.post',
      record: post('likeable'),
    })
    const subject = { uri: target.body.uri, cid: target.body.cid }
    const like = (n: number) =>
      call('com.atproto.repo.createRecord', {
        repo: did,
        collection: 'app.bsky.feed.like',
        record: { $type: 'app.bsky.feed.like', subject, createdAt: new Date(n).toISOString() },
      })
    const a = await like(1)
    const b = await like(2)
    const list = await xrpc(t, 'com.atproto.repo.listRecords', {
      query: { repo: did, collection: 'app.bsky.feed.like' },
    })
    expect(list.body.records.map((r: { uri: string }) => r.uri)).toEqual([b.body.uri])
    expect(a.body.uri).not.toBe(b.body.uri)
  })
})

describe('stored blocks', () => {
  it('are exactly the blocks reachable from the head commit, and @atproto/repo verifies them', async () => {
    for (let i = 0; i < 30; i++) {
      const r = await call('com.atproto.repo.createRecord', {
        repo: did,
        collection: 'com.example.churn',
        rkey: `c${i % 7}x${i}`,
        record: { i },
      })
      if (i % 3 === 0)
        await call('com.atproto.repo.deleteRecord', {
          repo: did,
          collection: 'com.example.churn',
          rkey: r.body.uri.split('/').pop(),
        })
    }
    const store = t.pds.ctx.repo?.blockStore(did)
    const root = t.pds.ctx.repo?.getRoot(did)
    if (!store || !root) throw new Error('no repo')
    const car = exportRepoCarBytes(store, root.cid)
    const { blocks } = await readCarWithRoot(car)
    expect(store.countBlocks()).toBe(blocks.size)
    const signingKey = t.pds.ctx.signingKey(did).did()
    const verified = await verifyRepoCar(car, did, signingKey)
    expect(verified.commit.rev).toBe(root.rev)
    const listed = await xrpc(t, 'com.atproto.repo.listRecords', {
      query: { repo: did, collection: 'com.example.churn', limit: '100' },
    })
    const inCar = verified.creates
      .filter((c) => c.collection === 'com.example.churn')
      .map((c) => `at://${did}/${c.collection}/${c.rkey}`)
    expect(listed.body.records.map((r: { uri: string }) => r.uri).sort()).toEqual(inCar.sort())
    // Blocks orphaned by the churn wait as dead rows (unreadable) until collected; then only live rows stay.
    const rows = () =>
      (
        t.pds.ctx.db.sqlite
          .prepare('SELECT count(*) AS n FROM repo_block b JOIN repo_root r ON r.id = b.repo WHERE r.did = ?')
          .get(did) as { n: number }
      ).n
    const dead = t.pds.ctx.db.sqlite.prepare('SELECT cid FROM repo_block WHERE refs <= 0').all() as { cid: Buffer }[]
    for (const { cid } of dead) expect(store.get(CID.decode(new Uint8Array(cid)))).toBeUndefined()
    t.pds.ctx.repo?.collectGarbage()
    expect(rows()).toBe(blocks.size - 1) // every block row is live; the head commit lives in the root row
    expect(t.pds.ctx.db.sqlite.prepare('SELECT count(*) AS n FROM repo_block WHERE refs <= 0').get()).toEqual({ n: 0 })
    expect(exportRepoCarBytes(store, root.cid)).toEqual(car)
  })
})
