/**
 * Proxying with the official client (@atproto/api) against a PDS whose AppView is a loopback stub that
 * checks every service-auth JWT with the official verifier and ours: default AppView and `atproto-proxy`
 * routing (DID document resolution), streamed bodies both ways, upstream errors, the refusals (no session,
 * inactive account, account-management methods, app passwords on direct messages, service-auth tokens on
 * protected methods), getServiceAuth, createReport to the moderation service, preferences kept on the PDS,
 * and read-after-write (the author's new posts and profile in timeline, author feed, thread, profile).
 */
import { request } from 'node:http'
import { AtpAgent } from '@atproto/api'
import { verifyJwt } from '@atproto/xrpc-server'
import { createServiceJwt } from '@stratus/core/xrpc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StubAnswer, type StubCall, type StubService, startStubService } from './proxy/test-stub.ts'
import { type TestPds, type TestPlc, startTestPds, startTestPlc } from './test-util.ts'

let plc: TestPlc
let appview: StubService
let other: StubService
let t: TestPds
let alice: AtpAgent
let did: string

const signingKeyFromPlc = async (iss: string) => {
  const res = await fetch(`${plc.url}/${iss.split('#')[0]}/data`)
  return ((await res.json()) as { verificationMethods: { atproto: string } }).verificationMethods.atproto
}

beforeAll(async () => {
  plc = await startTestPlc()
  appview = await startStubService(plc.url)
  other = await startStubService(plc.url)
  t = await startTestPds(
    {
      appviewUrl: appview.url,
      appviewDid: appview.did,
      reportServiceUrl: appview.url,
      reportServiceDid: appview.did,
      rateLimits: false,
    },
    { plc },
  )
  alice = new AtpAgent({ service: t.url })
  await alice.createAccount({ handle: 'alice.test', email: 'alice@example.com', password: 'alice-pw' })
  did = alice.session?.did as string
}, 60_000)
afterAll(async () => {
  await t?.close()
  await appview?.close()
  await other?.close()
  await plc?.close()
})

async function xrpc(path: string, init: RequestInit & { token?: string; proxy?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.proxy) headers.set('atproto-proxy', init.proxy)
  const res = await fetch(`${t.url}/xrpc/${path}`, { ...init, headers, duplex: 'half' } as RequestInit)
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: res.status, headers: res.headers, body: body as Record<string, unknown> }
}

const token = () => alice.session?.accessJwt as string

describe('forwarding', () => {
  it('sends app.bsky queries to the configured AppView with a valid service-auth JWT', async () => {
    appview.routes.set('app.bsky.actor.getSuggestions', (call) => ({
      body: { actors: [], cursor: call.url.searchParams.get('cursor') },
    }))
    const before = appview.calls.length
    const res = await alice.app.bsky.actor.getSuggestions({ limit: 5, cursor: 'abc' })
    expect(res.data).toEqual({ actors: [], cursor: 'abc' })
    const call = appview.calls[before]
    expect(call.authError).toBeUndefined()
    expect(call.jwt).toMatchObject({ iss: did, aud: appview.did, lxm: 'app.bsky.actor.getSuggestions' })
    expect(call.url.searchParams.get('limit')).toBe('5')
    const jwt = (call.headers.authorization as string).slice('Bearer '.length)
    const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString())
    expect(header).toEqual({ typ: 'JWT', alg: 'ES256K' })
    const payload = call.jwt as { exp: number; jti?: string }
    expect(payload.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(30)
    expect(payload.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60)
    expect(typeof payload.jti).toBe('string')
    // The stub verified it; check once more here with the official verifier and the exact audience.
    await expect(
      verifyJwt(jwt, appview.did, 'app.bsky.actor.getSuggestions', signingKeyFromPlc),
    ).resolves.toMatchObject({ iss: did })
    await expect(verifyJwt(jwt, appview.did, 'app.bsky.feed.getTimeline', signingKeyFromPlc)).rejects.toThrow(/lxm/)
  })

  it('follows atproto-proxy to the service in a DID document, and streams bodies both ways', async () => {
    other.routes.set('app.example.echo', (call) => ({
      raw: call.body,
      headers: { 'content-type': call.headers['content-type'] as string },
    }))
    const payload = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) & 0xff)
    const res = await xrpc('app.example.echo', {
      method: 'POST',
      token: token(),
      proxy: `${other.did}#bsky_appview`,
      headers: { 'content-type': 'application/octet-stream' },
      body: new Blob([payload]).stream(),
    })
    expect(res.status).toBe(200)
    const call = other.calls[other.calls.length - 1]
    expect(call.jwt).toMatchObject({ iss: did, aud: other.did, lxm: 'app.example.echo' })
    expect(Buffer.compare(call.body, Buffer.from(payload))).toBe(0)
    const back = await fetch(`${t.url}/xrpc/app.example.echo`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token()}`,
        'atproto-proxy': `${other.did}#bsky_appview`,
        'content-type': 'application/octet-stream',
      },
      body: payload,
    })
    expect(Buffer.compare(Buffer.from(await back.arrayBuffer()), Buffer.from(payload))).toBe(0)
    // A service id the document does not have; a malformed header.
    expect((await xrpc('app.example.echo', { token: token(), proxy: `${other.did}#nope` })).body).toMatchObject({
      error: 'InvalidRequest',
    })
    expect((await xrpc('app.example.echo', { token: token(), proxy: other.did })).body).toMatchObject({
      error: 'InvalidRequest',
    })
  })

  it('passes upstream errors on (500 as UpstreamFailure) and reports an unreachable service', async () => {
    appview.routes.set('app.bsky.feed.getFeed', () => ({
      status: 400,
      body: { error: 'UnknownFeed', message: 'no such feed' },
    }))
    appview.routes.set('app.bsky.feed.getLikes', () => ({
      status: 500,
      body: { error: 'InternalServerError', message: 'boom' },
    }))
    expect(await xrpc('app.bsky.feed.getFeed?feed=at://x', { token: token() })).toMatchObject({
      status: 400,
      body: { error: 'UnknownFeed', message: 'no such feed' },
    })
    expect(await xrpc('app.bsky.feed.getLikes?uri=at://x', { token: token() })).toMatchObject({
      status: 502,
      body: { error: 'UpstreamFailure' },
    })
    const gone = await startStubService(plc.url)
    const ref = `${gone.did}#bsky_appview`
    await xrpc('app.example.ping', { token: token(), proxy: ref }) // resolves and caches the document
    await gone.close()
    expect(await xrpc('app.example.ping', { token: token(), proxy: ref })).toMatchObject({
      status: 502,
      body: { error: 'UpstreamFailure' },
    })
  })

  it('a client that leaves before the answer cancels the upstream call', async () => {
    let answer: (a: StubAnswer) => void = () => {}
    appview.routes.set('app.example.slow', () => new Promise((resolve) => (answer = resolve)))
    const client = request(`${t.url}/xrpc/app.example.slow`, { headers: { authorization: `Bearer ${token()}` } })
    client.on('error', () => {})
    client.end()
    while (!appview.calls.some((c) => c.nsid === 'app.example.slow')) await new Promise((r) => setTimeout(r, 10))
    const call = appview.calls.find((c) => c.nsid === 'app.example.slow') as StubCall
    client.destroy()
    const cancelled = await Promise.race([
      call.aborted.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 3000)),
    ])
    answer({ body: {} })
    expect(cancelled).toBe(true)
  })

  it('sends com.atproto.moderation.createReport to the moderation service', async () => {
    appview.routes.set('com.atproto.moderation.createReport', (call) => ({
      body: {
        id: 7,
        ...JSON.parse(call.body.toString()),
        reportedBy: call.jwt?.iss,
        createdAt: new Date().toISOString(),
      },
    }))
    const res = await alice.com.atproto.moderation.createReport({
      reasonType: 'com.atproto.moderation.defs#reasonSpam',
      subject: { $type: 'com.atproto.admin.defs#repoRef', did },
    })
    expect(res.data).toMatchObject({ id: 7, reportedBy: did })
    expect(appview.calls[appview.calls.length - 1].jwt).toMatchObject({
      aud: appview.did,
      lxm: 'com.atproto.moderation.createReport',
    })
  })
})

describe('refusals', () => {
  it('no session: 401 AuthMissing; a session of a deactivated account: 401 AccountDeactivated', async () => {
    const before = appview.calls.length
    expect(await xrpc('app.bsky.actor.getSuggestions')).toMatchObject({ status: 401, body: { error: 'AuthMissing' } })
    const bob = new AtpAgent({ service: t.url })
    await bob.createAccount({ handle: 'bob.test', email: 'bob@example.com', password: 'bob-pw' })
    await bob.com.atproto.server.deactivateAccount({})
    const r = await xrpc('app.bsky.actor.getSuggestions', { token: bob.session?.accessJwt })
    expect(r).toMatchObject({ status: 401, body: { error: 'AccountDeactivated' } })
    expect(appview.calls.length).toBe(before)
  })

  it('account-management methods are never forwarded, header or not', async () => {
    const before = [appview.calls.length, other.calls.length]
    // Unimplemented here and protected: refused before anything is sent.
    for (const nsid of ['com.atproto.server.reserveSigningKey', 'com.atproto.admin.searchAccounts']) {
      const r = await xrpc(nsid, { token: token(), proxy: `${other.did}#bsky_appview` })
      expect(r).toMatchObject({ status: 400, body: { error: 'InvalidToken', message: 'Bad token method' } })
    }
    // Implemented here: answered here even when the client asks for another service.
    const created = await xrpc('com.atproto.server.createAppPassword', {
      method: 'POST',
      token: token(),
      proxy: `${other.did}#bsky_appview`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'via-proxy-header' }),
    })
    expect(created.status).toBe(200)
    expect(created.body.name).toBe('via-proxy-header')
    expect([appview.calls.length, other.calls.length]).toEqual(before)
  })

  it('getServiceAuth: no tokens for protected methods; a service-auth token cannot call them either', async () => {
    for (const lxm of [
      'com.atproto.server.createAppPassword',
      'com.atproto.identity.signPlcOperation',
      'com.atproto.server.deleteAccount',
    ]) {
      const r = await xrpc(`com.atproto.server.getServiceAuth?aud=${appview.did}&lxm=${lxm}`, { token: token() })
      expect(r).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } })
    }
    const forged = createServiceJwt({
      iss: did,
      aud: t.pds.ctx.cfg.serviceDid,
      lxm: 'com.atproto.server.createAppPassword',
      keypair: t.pds.ctx.signingKey(did),
    })
    const r = await xrpc('com.atproto.server.createAppPassword', {
      method: 'POST',
      token: forged,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'forged' }),
    })
    expect(r).toMatchObject({ status: 400, body: { error: 'InvalidToken' } })
  })

  it('getServiceAuth: a token the official verifier accepts; expiry limits (BadExpiration)', async () => {
    const res = await alice.com.atproto.server.getServiceAuth({ aud: other.did, lxm: 'app.bsky.video.uploadVideo' })
    await expect(
      verifyJwt(res.data.token, other.did, 'app.bsky.video.uploadVideo', signingKeyFromPlc),
    ).resolves.toMatchObject({ iss: did })
    const now = Math.floor(Date.now() / 1000)
    for (const q of [`exp=${now - 10}`, `exp=${now + 7200}&lxm=app.bsky.feed.getTimeline`, `exp=${now + 600}`]) {
      const r = await xrpc(`com.atproto.server.getServiceAuth?aud=${other.did}&${q}`, { token: token() })
      expect(r).toMatchObject({ status: 400, body: { error: 'BadExpiration' } })
    }
  })

  it('direct messages need a full or privileged session', async () => {
    appview.routes.set('chat.bsky.convo.listConvos', () => ({ body: { convos: [] } }))
    const plain = await alice.com.atproto.server.createAppPassword({ name: 'plain' })
    const privileged = await alice.com.atproto.server.createAppPassword({ name: 'dms', privileged: true })
    const login = async (password: string) => {
      const a = new AtpAgent({ service: t.url })
      await a.login({ identifier: 'alice.test', password })
      return a.session?.accessJwt as string
    }
    const p = await xrpc('chat.bsky.convo.listConvos', { token: await login(plain.data.password) })
    expect(p).toMatchObject({ status: 400, body: { error: 'InvalidToken', message: 'Bad token method' } })
    expect(await xrpc('chat.bsky.convo.listConvos', { token: await login(privileged.data.password) })).toMatchObject({
      status: 200,
    })
    expect(await xrpc('chat.bsky.convo.listConvos', { token: token() })).toMatchObject({ status: 200 })
  })
})

describe('preferences', () => {
  it('round-trip on the PDS (never sent to the AppView); birth date only for full sessions', async () => {
    const before = appview.calls.length
    const prefs = [
      { $type: 'app.bsky.actor.defs#adultContentPref', enabled: true },
      { $type: 'app.bsky.actor.defs#contentLabelPref', label: 'gore', visibility: 'hide' },
      { $type: 'app.bsky.actor.defs#personalDetailsPref', birthDate: '1990-04-01T00:00:00.000Z' },
    ]
    await alice.app.bsky.actor.putPreferences({ preferences: prefs })
    const got = (await alice.app.bsky.actor.getPreferences()).data.preferences
    expect(got.slice(0, 3)).toEqual(prefs)
    expect(got[3]).toEqual({
      $type: 'app.bsky.actor.defs#declaredAgePref',
      isOverAge13: true,
      isOverAge16: true,
      isOverAge18: true,
    })
    // The high-level helper of the official client reads them back too.
    expect((await alice.getPreferences()).moderationPrefs.adultContentEnabled).toBe(true)
    expect(appview.calls.length).toBe(before)

    const pw = await alice.com.atproto.server.createAppPassword({ name: 'prefs-app' })
    const app = new AtpAgent({ service: t.url })
    await app.login({ identifier: 'alice.test', password: pw.data.password })
    // (The official client's helper above added its saved-feeds preference.)
    const seen = (await app.app.bsky.actor.getPreferences()).data.preferences.map((p) => p.$type)
    expect(seen).toEqual([
      'app.bsky.actor.defs#adultContentPref',
      'app.bsky.actor.defs#contentLabelPref',
      'app.bsky.actor.defs#savedFeedsPrefV2',
      'app.bsky.actor.defs#declaredAgePref', // derived: the age brackets, never the birth date
    ])
    await expect(app.app.bsky.actor.putPreferences({ preferences: [prefs[2]] })).rejects.toMatchObject({
      error: 'InvalidRequest',
    })
    // An app password replaces what it can see and keeps the birth date it cannot.
    await app.app.bsky.actor.putPreferences({
      preferences: [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: false }],
    })
    const after = (await alice.app.bsky.actor.getPreferences()).data.preferences
    expect(after.map((p) => p.$type)).toEqual([
      'app.bsky.actor.defs#personalDetailsPref',
      'app.bsky.actor.defs#adultContentPref',
      'app.bsky.actor.defs#declaredAgePref',
    ])
    await expect(
      alice.app.bsky.actor.putPreferences({ preferences: [{ $type: 'com.example.pref' }] }),
    ).rejects.toMatchObject({
      error: 'InvalidRequest',
    })
  })
})

describe('read-after-write', () => {
  let rev: string
  let postUri: string
  let replyUri: string

  beforeAll(async () => {
    // The "AppView" has indexed alice up to now.
    rev = (await alice.com.atproto.sync.getLatestCommit({ did })).data.rev
    const revHeader = { 'atproto-repo-rev': rev }
    appview.routes.set('app.bsky.feed.getTimeline', () => ({ headers: revHeader, body: { feed: [] } }))
    appview.routes.set('app.bsky.feed.getAuthorFeed', () => ({ headers: revHeader, body: { feed: [] } }))
    appview.routes.set('app.bsky.feed.getPostThread', () => ({
      status: 400,
      headers: revHeader,
      body: { error: 'NotFound', message: 'Post not found' },
    }))
    appview.routes.set('app.bsky.feed.getPosts', () => ({ body: { posts: [] } }))
    appview.routes.set('app.bsky.actor.getProfile', () => ({
      headers: revHeader,
      body: { did, handle: 'alice.test', displayName: 'Old Name', followersCount: 3 },
    }))
    await alice.upsertProfile(() => ({ displayName: 'Alice Liddell', description: 'down the rabbit hole' }))
    const post = await alice.post({ text: 'hello from the PDS' })
    postUri = post.uri
    const reply = await alice.post({ text: 'and a reply', reply: { root: post, parent: post } })
    replyUri = reply.uri
  })

  it('getTimeline and getAuthorFeed show the new posts, newest first, with the new profile', async () => {
    const tl = await alice.getTimeline()
    expect(tl.data.feed.map((i) => i.post.uri)).toEqual([replyUri, postUri])
    const first = tl.data.feed[1].post
    expect(first).toMatchObject({
      uri: postUri,
      author: { did, handle: 'alice.test', displayName: 'Alice Liddell' },
      record: { text: 'hello from the PDS' },
      likeCount: 0,
    })
    expect(tl.headers['atproto-upstream-lag']).toMatch(/^\d+$/)
    const af = await alice.getAuthorFeed({ actor: 'alice.test' })
    expect(af.data.feed.map((i) => i.post.uri)).toEqual([replyUri, postUri])
    const noReplies = await alice.getAuthorFeed({ actor: did, filter: 'posts_no_replies' })
    expect(noReplies.data.feed.map((i) => i.post.uri)).toEqual([postUri])
    // Someone else's feed is left alone.
    expect((await alice.getAuthorFeed({ actor: 'did:plc:someoneelse234567abcdefgh' })).data.feed).toEqual([])
  })

  it('getProfile shows the new profile fields, getPostThread the post the AppView does not know', async () => {
    const p = await alice.getProfile({ actor: did })
    expect(p.data).toMatchObject({
      did,
      displayName: 'Alice Liddell',
      description: 'down the rabbit hole',
      followersCount: 3,
    })
    const thread = await alice.getPostThread({ uri: postUri })
    const view = thread.data.thread as { post: { uri: string }; replies: { post: { uri: string } }[] }
    expect(view.post.uri).toBe(postUri)
    expect(view.replies.map((r) => r.post.uri)).toEqual([replyUri])
    // Nothing newer than the AppView's revision: the answer passes through untouched.
    rev = (await alice.com.atproto.sync.getLatestCommit({ did })).data.rev
    appview.routes.set('app.bsky.feed.getTimeline', () => ({
      headers: { 'atproto-repo-rev': rev },
      body: { feed: [] },
    }))
    expect((await alice.getTimeline()).data.feed).toEqual([])
  })
})
