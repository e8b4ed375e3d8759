/**
 * What people do with their account, through the official client (@atproto/api): app passwords and their
 * limits, a password reset and an email change through the file mailer, deactivating and coming back,
 * deleting the account (gone from every endpoint, and the firehose says so), invite codes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FirehoseClient } from './sequencer/test-oracle.ts'
import { codeIn, readMails, waitForMail } from './test-mail.ts'
import { type TestPds, type TestPlc, startTestPds, startTestPlc } from './test-util.ts'

let plc: TestPlc
let t: TestPds

beforeAll(async () => {
  plc = await startTestPlc()
  t = await startTestPds({ rateLimits: false }, { plc })
}, 60_000)
afterAll(async () => {
  await t?.close()
  await plc?.close()
})

async function signUp(handle: string, password = `pw-${handle}`): Promise<AtpAgent> {
  const a = new AtpAgent({ service: t.url })
  await a.createAccount({ handle, email: `${handle.split('.')[0]}@example.com`, password })
  return a
}

async function login(identifier: string, password: string): Promise<AtpAgent> {
  const a = new AtpAgent({ service: t.url })
  await a.login({ identifier, password })
  return a
}

async function xrpc(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  if (init.body) headers.set('content-type', 'application/json')
  const res = await fetch(`${t.url}/xrpc/${path}`, { ...init, headers })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

const scopeOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).scope
const note = (a: AtpAgent, text: string) =>
  a.com.atproto.repo.createRecord({ repo: a.session?.did as string, collection: 'com.example.note', record: { text } })

describe('app passwords', () => {
  it('log in, write, but never manage the account; refresh keeps the limits; revoking ends the session', async () => {
    const owner = await signUp('carol.test')
    const created = await owner.com.atproto.server.createAppPassword({ name: 'Phone' })
    expect(created.data).toMatchObject({ name: 'Phone', privileged: false })
    expect(created.data.password).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/)
    await owner.com.atproto.server.createAppPassword({ name: 'DMs', privileged: true })
    const list = (await owner.com.atproto.server.listAppPasswords()).data.passwords
    expect(list.map((p) => [p.name, p.privileged]).sort()).toEqual([
      ['DMs', true],
      ['Phone', false],
    ])
    await expect(owner.com.atproto.server.createAppPassword({ name: 'Phone' })).rejects.toMatchObject({
      error: 'InvalidRequest',
    })

    const app = await login('carol.test', created.data.password)
    expect(scopeOf(app.session?.accessJwt as string)).toBe('com.atproto.appPass')
    await note(app, 'written with an app password')
    for (const call of [
      () => app.com.atproto.server.createAppPassword({ name: 'more' }),
      () => app.com.atproto.server.listAppPasswords(),
      () => app.com.atproto.server.revokeAppPassword({ name: 'DMs' }),
      () => app.com.atproto.server.requestAccountDelete(),
      () => app.com.atproto.server.deactivateAccount({}),
      () => app.com.atproto.server.requestEmailUpdate(),
      () => app.com.atproto.identity.requestPlcOperationSignature(),
    ]) {
      await expect(call()).rejects.toMatchObject({ status: 400, error: 'InvalidToken' })
    }
    await app.sessionManager.refreshSession()
    expect(scopeOf(app.session?.accessJwt as string)).toBe('com.atproto.appPass')
    await expect(app.com.atproto.server.createAppPassword({ name: 'more' })).rejects.toMatchObject({
      error: 'InvalidToken',
    })

    await owner.com.atproto.server.revokeAppPassword({ name: 'Phone' })
    const refresh = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: app.session?.refreshJwt })
    expect(refresh.body).toMatchObject({ error: 'ExpiredToken' })
    await expect(login('carol.test', created.data.password)).rejects.toMatchObject({ status: 401 })
  })
})

describe('mail', () => {
  it('resets a forgotten password with the code from the mail; every session ends', async () => {
    const dave = await signUp('dave.test', 'forgotten-pw')
    const before = readMails(t.dataDir).length
    await new AtpAgent({ service: t.url }).com.atproto.server.requestPasswordReset({ email: 'DAVE@example.com' })
    const mail = await waitForMail(t.dataDir, 'dave@example.com', 'reset_password', before)
    expect(mail.from).toBe('noreply@localhost')
    const token = codeIn(mail)
    const anon = new AtpAgent({ service: t.url })
    await expect(anon.com.atproto.server.resetPassword({ token: 'AAAAA-AAAAA', password: 'x' })).rejects.toMatchObject({
      error: 'InvalidToken',
    })
    await anon.com.atproto.server.resetPassword({ token: token.toLowerCase(), password: 'brand-new-pw' })
    await expect(login('dave.test', 'forgotten-pw')).rejects.toMatchObject({ status: 401 })
    await login('dave.test', 'brand-new-pw')
    const old = await xrpc('com.atproto.server.refreshSession', { method: 'POST', token: dave.session?.refreshJwt })
    expect(old.body).toMatchObject({ error: 'ExpiredToken' })
    await expect(anon.com.atproto.server.resetPassword({ token, password: 'again' })).rejects.toMatchObject({
      error: 'InvalidToken',
    })
    // Unknown addresses get the same answer and no mail.
    const count = readMails(t.dataDir).length
    await anon.com.atproto.server.requestPasswordReset({ email: 'nobody@example.com' })
    await new Promise((r) => setTimeout(r, 100))
    expect(readMails(t.dataDir).length).toBe(count)
  })

  it('confirms the address, then changes it with a code sent to the confirmed one', async () => {
    const erin = await signUp('erin.test')
    await erin.com.atproto.server.requestEmailConfirmation()
    const confirm = codeIn(await waitForMail(t.dataDir, 'erin@example.com', 'confirm_email'))
    await expect(
      erin.com.atproto.server.confirmEmail({ email: 'other@example.com', token: confirm }),
    ).rejects.toMatchObject({
      error: 'InvalidEmail',
    })
    await erin.com.atproto.server.confirmEmail({ email: 'erin@example.com', token: confirm })
    expect((await erin.com.atproto.server.getSession()).data.emailConfirmed).toBe(true)

    const n = readMails(t.dataDir).length
    expect((await erin.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(true)
    const code = codeIn(await waitForMail(t.dataDir, 'erin@example.com', 'update_email', n))
    await expect(erin.com.atproto.server.updateEmail({ email: 'erin2@example.com' })).rejects.toMatchObject({
      error: 'TokenRequired',
    })
    await expect(
      erin.com.atproto.server.updateEmail({ email: 'carol@example.com', token: code }),
    ).rejects.toMatchObject({
      error: 'InvalidRequest',
    })
    await erin.com.atproto.server.updateEmail({ email: 'erin2@example.com', token: code })
    expect((await erin.com.atproto.server.getSession()).data).toMatchObject({
      email: 'erin2@example.com',
      emailConfirmed: false,
    })
    // Unconfirmed now: no code needed for the next change.
    expect((await erin.com.atproto.server.requestEmailUpdate()).data.tokenRequired).toBe(false)
  })
})

describe('deactivate and reactivate', () => {
  it('stops serving and writing, announces it, and comes back with #account, #identity, #sync', async () => {
    const fran = await signUp('fran.test')
    const did = fran.session?.did as string
    const rec = await note(fran, 'before the break')
    const rkey = rec.data.uri.split('/').pop() as string
    const fh = await FirehoseClient.connect(t.url)
    await fran.com.atproto.server.deactivateAccount({})
    await fh.waitFor((f) => f.some((x) => x.t === '#account' && x.body.did === did))
    expect(fh.frames.at(-1)?.body).toMatchObject({ did, active: false, status: 'deactivated' })

    const anon = new AtpAgent({ service: t.url })
    expect((await anon.com.atproto.sync.getRepoStatus({ did })).data).toMatchObject({
      active: false,
      status: 'deactivated',
    })
    await expect(anon.com.atproto.sync.getRepo({ did })).rejects.toMatchObject({ error: 'RepoDeactivated' })
    await expect(
      anon.com.atproto.repo.getRecord({ repo: did, collection: 'com.example.note', rkey }),
    ).rejects.toMatchObject({
      error: 'RecordNotFound',
    })
    expect(
      (await anon.com.atproto.repo.listRecords({ repo: did, collection: 'com.example.note' })).data.records,
    ).toEqual([])
    await expect(note(fran, 'while away')).rejects.toMatchObject({ status: 401, error: 'AccountDeactivated' })
    expect((await fran.com.atproto.server.getSession()).data).toMatchObject({ active: false, status: 'deactivated' })

    const seen = fh.frames.length
    await fran.com.atproto.server.activateAccount()
    await fh.waitFor((f) => f.length >= seen + 3)
    expect(fh.frames.slice(seen).map((f) => [f.t, f.body.did])).toEqual([
      ['#account', did],
      ['#identity', did],
      ['#sync', did],
    ])
    expect(fh.frames[seen].body).toMatchObject({ active: true })
    expect(
      (await anon.com.atproto.repo.getRecord({ repo: did, collection: 'com.example.note', rkey })).data.value,
    ).toMatchObject({
      text: 'before the break',
    })
    await note(fran, 'back again')
    await fh.waitFor((f) => f.slice(seen + 3).some((x) => x.t === '#commit' && x.body.repo === did))
    await fh.close()
  })
})

describe('delete an account', () => {
  it('needs the password and the mailed code, then leaves nothing behind', async () => {
    const gus = await signUp('gus.test', 'gus-password')
    const did = gus.session?.did as string
    const blob = await gus.uploadBlob(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), {
      encoding: 'image/png',
    })
    await gus.post({
      text: 'last words',
      embed: { $type: 'app.bsky.embed.images', images: [{ image: blob.data.blob, alt: '' }] },
    })
    await gus.com.atproto.server.createAppPassword({ name: 'x' })
    expect(existsSync(join(t.dataDir, 'blobs', did.replaceAll(':', '_')))).toBe(true)

    const n = readMails(t.dataDir).length
    await gus.com.atproto.server.requestAccountDelete()
    const token = codeIn(await waitForMail(t.dataDir, 'gus@example.com', 'delete_account', n))
    const anon = new AtpAgent({ service: t.url })
    await expect(anon.com.atproto.server.deleteAccount({ did, password: 'wrong', token })).rejects.toMatchObject({
      status: 401,
    })
    await expect(
      anon.com.atproto.server.deleteAccount({ did, password: 'gus-password', token: 'AAAAA-BBBBB' }),
    ).rejects.toMatchObject({
      error: 'InvalidToken',
    })
    const live = await FirehoseClient.connect(t.url)
    await anon.com.atproto.server.deleteAccount({ did, password: 'gus-password', token })
    await live.waitFor((f) => f.some((x) => x.body.did === did))
    expect(live.frames.at(-1)).toMatchObject({ t: '#account', body: { did, active: false, status: 'deleted' } })
    await live.close()

    await expect(anon.com.atproto.sync.getRepo({ did })).rejects.toMatchObject({ error: 'RepoNotFound' })
    await expect(anon.com.atproto.sync.getRepoStatus({ did })).rejects.toMatchObject({ error: 'RepoNotFound' })
    await expect(anon.com.atproto.sync.getBlob({ did, cid: blob.data.blob.ref.toString() })).rejects.toMatchObject({
      error: 'RepoNotFound',
    })
    await expect(anon.com.atproto.repo.describeRepo({ repo: did })).rejects.toMatchObject({ status: 400 })
    await expect(
      anon.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' }),
    ).rejects.toMatchObject({ status: 400 })
    await expect(anon.com.atproto.identity.resolveHandle({ handle: 'gus.test' })).rejects.toMatchObject({
      error: 'HandleNotFound',
    })
    expect((await anon.com.atproto.sync.listRepos({})).data.repos.map((r) => r.did)).not.toContain(did)
    await expect(login('gus.test', 'gus-password')).rejects.toMatchObject({ status: 401 })
    expect((await t.pds.handle(new Request('http://gus.test/.well-known/atproto-did'))).status).toBe(404)
    expect(existsSync(join(t.dataDir, 'blobs', did.replaceAll(':', '_')))).toBe(false)
    // The whole log: only the deletion is left of this account.
    const replay = await FirehoseClient.connect(t.url, 0)
    await replay.waitFor((f) => f.some((x) => x.body.did === did))
    await new Promise((r) => setTimeout(r, 200))
    const mine = replay.frames.filter((f) => f.body.did === did || f.body.repo === did)
    expect(mine.map((f) => [f.t, f.body.status])).toEqual([['#account', 'deleted']])
    await replay.close()
    // The handle is free again.
    await signUp('gus.test', 'second-gus')
  })
})

describe('invite codes', () => {
  let inv: TestPds
  beforeAll(async () => {
    inv = await startTestPds({ rateLimits: false, inviteRequired: true, adminPassword: 'admin-pw' }, { plc })
  })
  afterAll(async () => {
    await inv?.close()
  })

  it('are required when configured, spent once per use, listed and disabled by the admin', async () => {
    const agent = () => new AtpAgent({ service: inv.url })
    expect((await agent().com.atproto.server.describeServer()).data.inviteCodeRequired).toBe(true)
    const signUpWith = (handle: string, inviteCode?: string) =>
      agent().createAccount({ handle, email: `${handle.split('.')[0]}@example.com`, password: 'pw', inviteCode })
    await expect(signUpWith('hana.test')).rejects.toMatchObject({ error: 'InvalidInviteCode' })
    await expect(signUpWith('hana.test', 'localhost-aaaaa-bbbbb')).rejects.toMatchObject({ error: 'InvalidInviteCode' })

    const admin = agent()
    admin.setHeader('authorization', `Basic ${Buffer.from('admin:admin-pw').toString('base64')}`)
    const { code } = (await admin.com.atproto.server.createInviteCode({ useCount: 1 })).data
    expect(code).toMatch(/^localhost-[a-z2-7]{5}-[a-z2-7]{5}$/)
    const hana = await signUpWith('hana.test', code)
    await expect(signUpWith('ivan.test', code)).rejects.toMatchObject({ error: 'InvalidInviteCode' })

    const hanaDid = hana.data.did
    const made = (
      await admin.com.atproto.server.createInviteCodes({ codeCount: 2, useCount: 3, forAccounts: [hanaDid] })
    ).data.codes
    expect(made).toEqual([{ account: hanaDid, codes: [expect.any(String), expect.any(String)] }])
    const h = agent()
    await h.login({ identifier: 'hana.test', password: 'pw' })
    const mine = (await h.com.atproto.server.getAccountInviteCodes({})).data.codes
    expect(mine.map((c) => c.code).sort()).toEqual([...made[0].codes].sort())
    await signUpWith('ivan.test', made[0].codes[0])
    const listed = (await admin.com.atproto.admin.getInviteCodes({ sort: 'usage' })).data.codes
    expect(listed[0]).toMatchObject({
      code: made[0].codes[0],
      available: 3,
      uses: [{ usedBy: expect.stringMatching(/^did:plc:/) }],
    })
    expect((await admin.com.atproto.admin.getAccountInfo({ did: hanaDid })).data.invitedBy).toMatchObject({ code })

    await admin.com.atproto.admin.disableInviteCodes({ accounts: [hanaDid] })
    await expect(signUpWith('judy.test', made[0].codes[1])).rejects.toMatchObject({ error: 'InvalidInviteCode' })
    await admin.com.atproto.admin.disableAccountInvites({ account: hanaDid })
    expect((await h.com.atproto.server.getAccountInviteCodes({})).data.codes).toEqual([])
    await expect(h.com.atproto.server.createInviteCode({ useCount: 1 })).rejects.toMatchObject({ status: 401 })
  })
})
