/**
 * com.atproto.sync.* against a running PDS, written to through the official @atproto/api client, checked
 * with the official packages: the firehose (every frame per the lexicon, every #commit verified — CAR,
 * signature, record proofs, sync 1.1 inversion — and parsed by @atproto/sync's Firehose), getRepo CARs
 * (@atproto/repo verifyRepoCar), record proofs (verifyRecords / verifyProofs), and the read endpoints'
 * answers and errors, including inactive accounts.
 */
import { AtpAgent } from '@atproto/api'
import { IdResolver } from '@atproto/identity'
import { verifyProofs, verifyRecords, verifyRepoCar } from '@atproto/repo'
import { Firehose, MemoryRunner } from '@atproto/sync'
import { CID as MfCID } from 'multiformats/cid'
import { CID, readCar, writeCarBytes } from '@stratus/core/data'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FirehoseClient, assertValidMessage, verifyCommitBody } from './sequencer/test-oracle.ts'
import { type TestPds, startTestPds } from './test-util.ts'

let t: TestPds
let alice: AtpAgent
let bob: AtpAgent
let idResolver: IdResolver
let aliceKey: string
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(7)])

async function newAgent(handle: string): Promise<AtpAgent> {
  const agent = new AtpAgent({ service: t.url })
  await agent.createAccount({ handle, email: `${handle}@example.com`, password: `pw-${handle}` })
  return agent
}

async function xrpc(nsid: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  const url = new URL(`/xrpc/${nsid}`, t.url)
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) url.searchParams.append(k, x)
  return fetch(url, { headers })
}

async function xrpcError(nsid: string, params: Record<string, string | string[]>) {
  const res = await xrpc(nsid, params)
  return { status: res.status, body: (await res.json()) as { error: string; message?: string } }
}

const didOf = (a: AtpAgent): string => a.session?.did as string

/** Every record of the repository through com.atproto.repo.listRecords, for each collection the firehose named. */
async function allRecords(a: AtpAgent, did: string): Promise<Map<string, { cid: string; value: unknown }>> {
  const out = new Map<string, { cid: string; value: unknown }>()
  const collections = new Set<string>()
  for (const f of firehose.frames) {
    if (f.t === '#commit' && f.body.repo === did) for (const op of f.body.ops) collections.add(op.path.split('/')[0])
  }
  for (const collection of collections) {
    let cursor: string | undefined
    do {
      const page = (await a.com.atproto.repo.listRecords({ repo: did, collection, limit: 100, cursor })).data
      for (const r of page.records) out.set(r.uri.split('/').slice(3).join('/'), { cid: r.cid, value: r.value })
      cursor = page.records.length === 100 ? page.cursor : undefined
    } while (cursor)
  }
  return out
}

let firehose: FirehoseClient
let imageCid: string
let postUri: string

beforeAll(async () => {
  t = await startTestPds({ rateLimits: false })
  idResolver = new IdResolver({ plcUrl: t.plc.url })
  firehose = await FirehoseClient.connect(t.url, 0)
  alice = await newAgent('alice.test')
  bob = await newAgent('bob.test')
  aliceKey = await idResolver.did.resolveAtprotoKey(didOf(alice))
  // A little of everything: profile (putRecord), posts with an image, a reply, like, repost, follow,
  // an update, deletes and an applyWrites batch.
  const upload = await alice.uploadBlob(PNG, { encoding: 'image/png' })
  imageCid = upload.data.blob.ref.toString()
  await alice.upsertProfile((p) => ({ ...p, displayName: 'Alice' }))
  const post = await alice.post({
    text: 'hello',
    embed: { $type: 'app.bsky.embed.images', images: [{ image: upload.data.blob, alt: 'a picture' }] },
  })
  postUri = post.uri
  const reply = await bob.post({ text: 'hi!', reply: { root: post, parent: post } })
  await alice.like(reply.uri, reply.cid)
  await bob.repost(post.uri, post.cid)
  await bob.follow(didOf(alice))
  await alice.upsertProfile((p) => ({ ...p, displayName: 'Alice A.' }))
  const temp = await alice.post({ text: 'to be deleted' })
  await alice.deletePost(temp.uri)
  await alice.com.atproto.repo.applyWrites({
    repo: didOf(alice),
    writes: [
      {
        $type: 'com.atproto.repo.applyWrites#create',
        collection: 'app.bsky.feed.post',
        rkey: '3kaaaaaaaaa22',
        value: { $type: 'app.bsky.feed.post', text: 'batch 1', createdAt: new Date().toISOString() },
      },
      {
        $type: 'com.atproto.repo.applyWrites#create',
        collection: 'app.bsky.feed.post',
        rkey: '3kaaaaaaaaa23',
        value: { $type: 'app.bsky.feed.post', text: 'batch 2', createdAt: new Date().toISOString() },
      },
    ],
  })
}, 60_000)

afterAll(async () => {
  await firehose?.close()
  await t?.close()
})

describe('subscribeRepos', () => {
  it('emits #identity, #account, #commit for each new account, in that order', async () => {
    await firehose.waitFor((f) => f.length >= 6)
    const firstSix = firehose.frames.slice(0, 6).map((f) => [f.t, f.body.did ?? f.body.repo])
    expect(firstSix).toEqual([
      ['#identity', didOf(alice)],
      ['#account', didOf(alice)],
      ['#commit', didOf(alice)],
      ['#identity', didOf(bob)],
      ['#account', didOf(bob)],
      ['#commit', didOf(bob)],
    ])
    expect(firehose.frames[0].body.handle).toBe('alice.test')
    expect(firehose.frames[1].body).toMatchObject({ active: true })
    expect(firehose.frames[2].body.ops).toEqual([])
  })

  it('every frame is valid per the lexicon and every #commit verifies (official packages and ours)', async () => {
    const head = (await alice.com.atproto.sync.getLatestCommit({ did: didOf(alice) })).data
    await firehose.waitFor((f) => f.some((x) => x.t === '#commit' && x.body.rev === head.rev))
    const seqs = firehose.seqs()
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    const lastData = new Map<string, string>()
    const lastRev = new Map<string, string>()
    let commits = 0
    for (const frame of firehose.frames) {
      assertValidMessage(frame)
      if (frame.t !== '#commit') continue
      const { repo } = frame.body
      const key = await idResolver.did.resolveAtprotoKey(repo)
      expect(frame.body.since ?? null).toBe(lastRev.get(repo) ?? null)
      if (lastData.has(repo)) expect(frame.body.prevData?.toString()).toBe(lastData.get(repo))
      expect(frame.body.rev > (lastRev.get(repo) ?? '')).toBe(true)
      expect(frame.body.ops.length).toBeLessThanOrEqual(200)
      expect(frame.body.blocks.length).toBeLessThanOrEqual(2_000_000)
      lastData.set(repo, await verifyCommitBody(frame.body, key))
      lastRev.set(repo, frame.body.rev)
      commits++
    }
    expect(commits).toBeGreaterThanOrEqual(12)
    expect(Math.max(...firehose.sizes)).toBeLessThanOrEqual(5_000_000)
    // The rev of the last commit is what getLatestCommit reports, close to wall-clock time.
    expect(lastRev.get(didOf(alice))).toBe(head.rev)
  })

  it("@atproto/sync's Firehose parses and authenticates every event", async () => {
    const events: { event: string; did: string; collection?: string }[] = []
    const errors: unknown[] = []
    const total = firehose.seqs().length
    let finished!: () => void
    const done = new Promise<void>((resolve) => {
      finished = resolve
    })
    const fh = new Firehose({
      idResolver,
      service: t.url.replace(/^http/, 'ws'),
      // (its getCursor option is only read through a runner)
      runner: new MemoryRunner({ startCursor: 0 }),
      unauthenticatedHandles: true,
      handleEvent: async (evt) => {
        events.push(evt as never)
        if ('seq' in evt && evt.seq === total) finished()
      },
      onError: (err) => errors.push(err),
    })
    void fh.start()
    await done
    await fh.destroy()
    expect(errors).toEqual([])
    expect(events.length).toBeGreaterThan(10)
    const kinds = new Set(events.map((e) => e.event))
    expect([...kinds].sort()).toEqual(['account', 'create', 'delete', 'identity', 'update'])
    // Authenticated parsing keeps an op only if its proof verified: every create/update/delete survived.
    const ops = firehose.frames.filter((f) => f.t === '#commit').reduce((n, f) => n + f.body.ops.length, 0)
    expect(events.filter((e) => ['create', 'update', 'delete'].includes(e.event)).length).toBe(ops)
  })

  it('a commit over the firehose limit (201 ops) is refused and emits nothing', async () => {
    const before = t.pds.ctx.sequencer?.currentSeq()
    const writes = Array.from({ length: 201 }, (_, i) => ({
      $type: 'com.atproto.repo.applyWrites#create' as const,
      collection: 'com.example.note',
      rkey: `n${i}`,
      value: { $type: 'com.example.note', i },
    }))
    await expect(alice.com.atproto.repo.applyWrites({ repo: didOf(alice), writes })).rejects.toMatchObject({
      status: 400,
    })
    expect(t.pds.ctx.sequencer?.currentSeq()).toBe(before)
    // 200 is fine.
    await alice.com.atproto.repo.applyWrites({ repo: didOf(alice), writes: writes.slice(0, 200) })
    expect(t.pds.ctx.sequencer?.currentSeq()).toBe((before ?? 0) + 1)
    const head = (await alice.com.atproto.sync.getLatestCommit({ did: didOf(alice) })).data
    await firehose.waitFor((f) => f.some((x) => x.t === '#commit' && x.body.rev === head.rev))
    const last = firehose.frames[firehose.frames.length - 1]
    expect(last.body.ops.length).toBe(200)
    expect(last.body.blocks.length).toBeLessThanOrEqual(2_000_000)
    await verifyCommitBody(last.body, aliceKey)
  })

  it('a future cursor gets a FutureCursor error frame and the stream closes', async () => {
    const c = await FirehoseClient.connect(t.url, 10_000)
    const closed = await c.closed
    expect(c.frames).toEqual([{ t: 'error', body: { error: 'FutureCursor', message: expect.any(String) } }])
    expect(closed.code).not.toBe(1006)
  })
})

describe('getRepo / getRecord / getBlocks / getLatestCommit', () => {
  it('getRepo streams a CAR that @atproto/repo verifies, with every record', async () => {
    const did = didOf(alice)
    const res = await xrpc('com.atproto.sync.getRepo', { did })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.ipld.car')
    const car = new Uint8Array(await res.arrayBuffer())
    const verified = await verifyRepoCar(car, did, aliceKey)
    const listed = await allRecords(alice, did)
    const inCar = new Map(verified.creates.map((c) => [`${c.collection}/${c.rkey}`, c.cid.toString()]))
    expect(inCar).toEqual(new Map([...listed].map(([k, v]) => [k, v.cid])))
    expect(inCar.size).toBeGreaterThan(200)
    const head = (await alice.com.atproto.sync.getLatestCommit({ did })).data
    expect(verified.commit.rev).toBe(head.rev)
  })

  it('getRepo with `since` sends only what changed after that rev: old export + diff = the new repo', async () => {
    const did = didOf(alice)
    const before = (await alice.com.atproto.sync.getLatestCommit({ did })).data
    const oldCar = readCar(new Uint8Array(await (await xrpc('com.atproto.sync.getRepo', { did })).arrayBuffer()))
    const created = (
      await alice.com.atproto.repo.createRecord({
        repo: did,
        collection: 'app.bsky.feed.post',
        record: { text: 'after since', createdAt: new Date().toISOString() },
      })
    ).data
    const res = await xrpc('com.atproto.sync.getRepo', { did, since: before.rev })
    expect(res.status).toBe(200)
    const diff = readCar(new Uint8Array(await res.arrayBuffer()))
    const head = (await alice.com.atproto.sync.getLatestCommit({ did })).data
    expect(diff.roots.map(String)).toEqual([head.cid])
    expect(diff.blocks.has(head.cid)).toBe(true)
    expect(diff.blocks.has(created.cid)).toBe(true)
    // A handful of blocks (commit, record, the changed MST path), none of the records already held.
    expect(diff.blocks.size).toBeLessThan(20)
    const held = [...oldCar.blocks.keys()].filter((k) => k !== before.cid)
    expect(held.filter((k) => diff.blocks.has(k))).toEqual([])
    // What the client had plus the diff is the whole new repository, and it verifies.
    const merged = writeCarBytes(
      [CID.parse(head.cid)],
      [
        ...[...oldCar.blocks].map(([k, bytes]) => ({ cid: CID.parse(k), bytes })),
        ...[...diff.blocks].map(([k, bytes]) => ({ cid: CID.parse(k), bytes })),
      ],
    )
    const verified = await verifyRepoCar(merged, did, aliceKey)
    expect(verified.commit.rev).toBe(head.rev)
    expect(verified.creates.some((c) => c.cid.toString() === created.cid)).toBe(true)
    // Since the head: only the head commit.
    const none = readCar(
      new Uint8Array(await (await xrpc('com.atproto.sync.getRepo', { did, since: head.rev })).arrayBuffer()),
    )
    expect([...none.blocks.keys()]).toEqual([head.cid])
  })

  it('getRecord proofs verify for every record, and prove absence for a missing one', async () => {
    const did = didOf(alice)
    for (const [path, r] of await allRecords(alice, did)) {
      const [collection, rkey] = path.split('/')
      const res = await xrpc('com.atproto.sync.getRecord', { did, collection, rkey })
      expect(res.status).toBe(200)
      const proof = new Uint8Array(await res.arrayBuffer())
      const records = await verifyRecords(proof, did, aliceKey)
      expect(records.map((x) => [x.collection, x.rkey])).toEqual([[collection, rkey]])
      expect(JSON.stringify(records[0].record)).toBe(JSON.stringify(r.value))
      const claim = await verifyProofs(proof, [{ collection, rkey, cid: MfCID.parse(r.cid) }], did, aliceKey)
      expect(claim.unverified).toEqual([])
    }
    const res = await xrpc('com.atproto.sync.getRecord', {
      did,
      collection: 'app.bsky.feed.post',
      rkey: '3zzzzzzzzzz22',
    })
    const proof = new Uint8Array(await res.arrayBuffer())
    const absent = await verifyProofs(
      proof,
      [{ collection: 'app.bsky.feed.post', rkey: '3zzzzzzzzzz22', cid: null }],
      did,
      aliceKey,
    )
    expect(absent.verified.length).toBe(1)
  })

  it('getBlocks returns the asked blocks, BlockNotFound for unknown ones; getLatestCommit the head', async () => {
    const did = didOf(alice)
    const head = (await alice.com.atproto.sync.getLatestCommit({ did })).data
    const post = await alice.com.atproto.repo.getRecord({
      repo: did,
      collection: 'app.bsky.feed.post',
      rkey: postUri.split('/').pop() as string,
    })
    const res = await alice.com.atproto.sync.getBlocks({ did, cids: [head.cid, post.data.cid as string] })
    const { readCar } = await import('@atproto/repo')
    const car = await readCar(res.data)
    expect(car.roots).toEqual([])
    expect(car.blocks.size).toBe(2)
    expect(car.blocks.has(MfCID.parse(head.cid))).toBe(true)
    const missing = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
    const err = await xrpcError('com.atproto.sync.getBlocks', { did, cids: [head.cid, missing] })
    expect(err).toMatchObject({ status: 400, body: { error: 'BlockNotFound' } })
  })
})

describe('blobs, status and listings', () => {
  it('getBlob serves referenced blobs with safe headers; listBlobs lists them', async () => {
    const did = didOf(alice)
    const res = await xrpc('com.atproto.sync.getBlob', { did, cid: imageCid })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('content-length')).toBe(String(PNG.length))
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG)
    const listed = await alice.com.atproto.sync.listBlobs({ did })
    expect(listed.data.cids).toEqual([imageCid])
    // An upload no record references is not served.
    const orphan = await alice.uploadBlob(new Uint8Array([1, 2, 3, 4]), { encoding: 'application/octet-stream' })
    const err = await xrpcError('com.atproto.sync.getBlob', { did, cid: orphan.data.blob.ref.toString() })
    expect(err).toMatchObject({ status: 400, body: { error: 'BlobNotFound' } })
  })

  it('getRepoStatus and listRepos (paged) report head, rev and status', async () => {
    const status = (await bob.com.atproto.sync.getRepoStatus({ did: didOf(bob) })).data
    const head = (await bob.com.atproto.sync.getLatestCommit({ did: didOf(bob) })).data
    expect(status).toEqual({ did: didOf(bob), active: true, rev: head.rev })
    const first = (await bob.com.atproto.sync.listRepos({ limit: 1 })).data
    expect(first.repos.map((r) => r.did)).toEqual([didOf(alice)])
    const second = (await bob.com.atproto.sync.listRepos({ limit: 1, cursor: first.cursor })).data
    expect(second.repos).toEqual([{ did: didOf(bob), head: head.cid, rev: head.rev, active: true }])
  })

  it('unknown, deactivated and taken-down repositories: the lexicon errors, nothing served', async () => {
    const unknown = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
    for (const nsid of [
      'com.atproto.sync.getRepo',
      'com.atproto.sync.getLatestCommit',
      'com.atproto.sync.getRepoStatus',
      'com.atproto.sync.listBlobs',
    ]) {
      expect(await xrpcError(nsid, { did: unknown })).toMatchObject({ status: 400, body: { error: 'RepoNotFound' } })
    }
    const carol = await newAgent('carol.test')
    const did = didOf(carol)
    const post = await carol.post({ text: 'soon hidden' })
    const rkey = post.uri.split('/').pop() as string
    const db = t.pds.ctx.db
    const check = async (error: string, status: string) => {
      expect(await xrpcError('com.atproto.sync.getRepo', { did })).toMatchObject({ body: { error } })
      expect(
        await xrpcError('com.atproto.sync.getRecord', { did, collection: 'app.bsky.feed.post', rkey }),
      ).toMatchObject({ body: { error } })
      expect(await xrpcError('com.atproto.sync.getBlob', { did, cid: imageCid })).toMatchObject({ body: { error } })
      expect(await xrpcError('com.atproto.sync.listBlobs', { did })).toMatchObject({ body: { error } })
      expect(await xrpcError('com.atproto.sync.getBlocks', { did, cids: [post.cid] })).toMatchObject({
        body: { error },
      })
      const st = (await alice.com.atproto.sync.getRepoStatus({ did })).data
      expect(st).toEqual({ did, active: false, status })
      const listed = (await alice.com.atproto.sync.listRepos({})).data.repos.find((r) => r.did === did)
      expect(listed).toMatchObject({ active: false, status })
    }
    db.stmt('UPDATE account SET deactivated_at = ? WHERE did = ?').run(new Date().toISOString(), did)
    await check('RepoDeactivated', 'deactivated')
    // The owner still reads their own repository.
    const own = await xrpc('com.atproto.sync.getRepo', { did }, { authorization: `Bearer ${carol.session?.accessJwt}` })
    expect(own.status).toBe(200)
    db.stmt('UPDATE account SET takedown_ref = ? WHERE did = ?').run('ticket-1', did)
    await check('RepoTakendown', 'takendown')
  })
})
