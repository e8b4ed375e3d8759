/**
 * Administration behind the admin password, with the official client (@atproto/api): takedowns of an
 * account, a record and a blob (each answering with the spec's errors, the account's with `#account`)
 * and their reversal; the admin account methods; and the `stratus account …` operator commands run on the
 * live server's data directory.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { accountCommand } from './cli.ts'
import { FirehoseClient } from './sequencer/test-oracle.ts'
import { readMails, waitForMail } from './test-mail.ts'
import { type TestPds, type TestPlc, startTestPds, startTestPlc } from './test-util.ts'

let plc: TestPlc
let t: TestPds
let admin: AtpAgent
let owner: AtpAgent
let did: string
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7, 6])

beforeAll(async () => {
  plc = await startTestPlc()
  t = await startTestPds({ rateLimits: false, adminPassword: 'hunter2' }, { plc })
  admin = new AtpAgent({ service: t.url })
  admin.setHeader('authorization', `Basic ${Buffer.from('admin:hunter2').toString('base64')}`)
  owner = new AtpAgent({ service: t.url })
  await owner.createAccount({ handle: 'mallory.test', email: 'mallory@example.com', password: 'mallory-pw' })
  did = owner.session?.did as string
}, 60_000)
afterAll(async () => {
  await t?.close()
  await plc?.close()
})

const anon = () => new AtpAgent({ service: t.url })
const repoRef = () => ({ $type: 'com.atproto.admin.defs#repoRef', did })

describe('takedowns', () => {
  let postUri: string
  let postCid: string
  let keptUri: string
  let blobCid: string

  beforeAll(async () => {
    const blob = await owner.uploadBlob(PNG, { encoding: 'image/png' })
    blobCid = blob.data.blob.ref.toString()
    const post = await owner.post({
      text: 'abusive',
      embed: { $type: 'app.bsky.embed.images', images: [{ image: blob.data.blob, alt: '' }] },
    })
    postUri = post.uri
    postCid = post.cid
    keptUri = (await owner.post({ text: 'harmless' })).uri
  })

  it('refuse without the admin password', async () => {
    const wrong = anon()
    wrong.setHeader('authorization', `Basic ${Buffer.from('admin:nope').toString('base64')}`)
    await expect(wrong.com.atproto.admin.getSubjectStatus({ did })).rejects.toMatchObject({ status: 401 })
    // A session of the account is no admin credential.
    await expect(owner.com.atproto.admin.getSubjectStatus({ did })).rejects.toMatchObject({ status: 401 })
  })

  it('an account: repo, records and blobs answer with their errors; #account; reversal restores', async () => {
    const fh = await FirehoseClient.connect(t.url)
    await admin.com.atproto.admin.updateSubjectStatus({
      subject: repoRef(),
      takedown: { applied: true, ref: 'ticket-42' },
    })
    await fh.waitFor((f) => f.some((x) => x.t === '#account'))
    expect(fh.frames[0].body).toMatchObject({ did, active: false, status: 'takendown' })
    const rkey = postUri.split('/').pop() as string
    const a = anon()
    for (const call of [
      () => a.com.atproto.sync.getRepo({ did }),
      () => a.com.atproto.sync.getLatestCommit({ did }),
      () => a.com.atproto.sync.getRecord({ did, collection: 'app.bsky.feed.post', rkey }),
      () => a.com.atproto.sync.getBlob({ did, cid: blobCid }),
      () => a.com.atproto.sync.listBlobs({ did }),
      () => a.com.atproto.repo.describeRepo({ repo: did }),
    ]) {
      await expect(call()).rejects.toMatchObject({ status: 400, error: 'RepoTakendown' })
    }
    await expect(
      a.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey }),
    ).rejects.toMatchObject({
      error: 'RecordNotFound',
    })
    expect((await a.com.atproto.sync.getRepoStatus({ did })).data).toMatchObject({ active: false, status: 'takendown' })
    await expect(owner.post({ text: 'more' })).rejects.toMatchObject({ status: 401, error: 'AccountTakedown' })
    await expect(anon().login({ identifier: 'mallory.test', password: 'mallory-pw' })).rejects.toMatchObject({
      error: 'AccountTakedown',
    })
    expect((await admin.com.atproto.admin.getSubjectStatus({ did })).data).toMatchObject({
      subject: { did },
      takedown: { applied: true, ref: 'ticket-42' },
      deactivated: { applied: false },
    })

    await admin.com.atproto.admin.updateSubjectStatus({ subject: repoRef(), takedown: { applied: false } })
    await fh.waitFor((f) => f.length >= 2)
    expect(fh.frames[1]).toMatchObject({ t: '#account', body: { did, active: true } })
    await fh.close()
    expect((await a.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey })).data.cid).toBe(
      postCid,
    )
    expect((await a.com.atproto.sync.getBlob({ did, cid: blobCid })).data).toEqual(PNG)
    // The official client dropped its session when refreshing failed during the takedown: log in again.
    await owner.login({ identifier: 'mallory.test', password: 'mallory-pw' })
    await owner.post({ text: 'allowed again' })
  })

  it('a record: hidden from reads; the rest of the repo is served; reversal restores', async () => {
    const subject = { $type: 'com.atproto.repo.strongRef', uri: postUri, cid: postCid }
    await admin.com.atproto.admin.updateSubjectStatus({ subject, takedown: { applied: true, ref: 'spam' } })
    const rkey = postUri.split('/').pop() as string
    const a = anon()
    await expect(
      a.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey }),
    ).rejects.toMatchObject({
      error: 'RecordNotFound',
    })
    const listed = (
      await a.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' })
    ).data.records.map((r) => r.uri)
    expect(listed).toContain(keptUri)
    expect(listed).not.toContain(postUri)
    expect((await admin.com.atproto.admin.getSubjectStatus({ uri: postUri })).data).toMatchObject({
      subject: { uri: postUri, cid: postCid },
      takedown: { applied: true, ref: 'spam' },
    })
    await admin.com.atproto.admin.updateSubjectStatus({ subject, takedown: { applied: false } })
    expect((await a.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey })).data.cid).toBe(
      postCid,
    )
  })

  it('a blob: BlobNotFound, its file out of the store; reversal restores the same bytes', async () => {
    const subject = { $type: 'com.atproto.admin.defs#repoBlobRef', did, cid: blobCid }
    await admin.com.atproto.admin.updateSubjectStatus({ subject, takedown: { applied: true, ref: 'csam-hash-match' } })
    await expect(anon().com.atproto.sync.getBlob({ did, cid: blobCid })).rejects.toMatchObject({
      status: 400,
      error: 'BlobNotFound',
    })
    expect(existsSync(join(t.dataDir, 'blobs', did.replaceAll(':', '_'), blobCid))).toBe(false)
    expect((await admin.com.atproto.admin.getSubjectStatus({ did, blob: blobCid })).data.takedown).toEqual({
      applied: true,
      ref: 'csam-hash-match',
    })
    await admin.com.atproto.admin.updateSubjectStatus({ subject, takedown: { applied: false } })
    expect((await anon().com.atproto.sync.getBlob({ did, cid: blobCid })).data).toEqual(PNG)
  })
})

describe('admin account methods', () => {
  it('view, change handle, email and password, write to the account, delete it', async () => {
    const info = (await admin.com.atproto.admin.getAccountInfo({ did })).data
    expect(info).toMatchObject({ did, handle: 'mallory.test', email: 'mallory@example.com', invitesDisabled: false })
    expect(
      (await admin.com.atproto.admin.getAccountInfos({ dids: [did, 'did:plc:unknownunknownunknown1'] })).data.infos,
    ).toHaveLength(1)

    await admin.com.atproto.admin.updateAccountHandle({ did, handle: 'ops.test' }) // reserved name: admins may
    expect((await (await fetch(`${plc.url}/${did}/data`)).json()).alsoKnownAs).toEqual(['at://ops.test'])
    await admin.com.atproto.admin.updateAccountEmail({ account: did, email: 'm2@example.com' })
    const refreshJwt = owner.session?.refreshJwt as string
    await admin.com.atproto.admin.updateAccountPassword({ did, password: 'set-by-admin' })
    const refreshed = await fetch(`${t.url}/xrpc/com.atproto.server.refreshSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${refreshJwt}` },
    })
    expect(await refreshed.json()).toMatchObject({ error: 'ExpiredToken' })
    const again = anon()
    await again.login({ identifier: 'm2@example.com', password: 'set-by-admin' })
    expect(again.session?.handle).toBe('ops.test')

    const n = readMails(t.dataDir).length
    const sent = await admin.com.atproto.admin.sendEmail({
      recipientDid: did,
      senderDid: 'did:plc:moderator',
      subject: 'Notice',
      content: 'Please stop.',
    })
    expect(sent.data.sent).toBe(true)
    expect(await waitForMail(t.dataDir, 'm2@example.com', 'admin', n)).toMatchObject({
      subject: 'Notice',
      text: 'Please stop.',
    })

    await admin.com.atproto.admin.deleteAccount({ did })
    await expect(admin.com.atproto.admin.getAccountInfo({ did })).rejects.toMatchObject({ status: 400 })
    await expect(anon().com.atproto.sync.getRepo({ did })).rejects.toMatchObject({ error: 'RepoNotFound' })
  })
})

describe('stratus account (operator CLI on the live data directory)', () => {
  async function run(argv: string[]): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
    let stdout = ''
    let stderr = ''
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      stdout += String(s)
      return true
    })
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      stderr += String(s)
      return true
    })
    process.exitCode = undefined
    try {
      await accountCommand(argv, { PDS_DATA_DIRECTORY: t.dataDir, PDS_DID_PLC_URL: plc.url, LOG_LEVEL: 'silent' })
      return { stdout, stderr, code: process.exitCode as number | undefined }
    } finally {
      o.mockRestore()
      e.mockRestore()
      process.exitCode = undefined
    }
  }

  it('takedown, status, untakedown, reset-password, invite, delete', async () => {
    const nina = anon()
    await nina.createAccount({ handle: 'nina.test', email: 'nina@example.com', password: 'nina-pw' })
    const ninaDid = nina.session?.did as string
    const repoStatus = async () => (await anon().com.atproto.sync.getRepoStatus({ did: ninaDid })).data

    expect(await run(['takedown', 'nina.test', '--ref', 'cli-test'])).toMatchObject({
      code: undefined,
      stdout: `taken down ${ninaDid}\n`,
    })
    expect(await repoStatus()).toMatchObject({ active: false, status: 'takendown' })
    expect((await run(['untakedown', ninaDid])).stdout).toBe(`restored ${ninaDid} (active)\n`)
    expect((await run(['status', 'nina.test', 'suspended'])).stdout).toBe(`${ninaDid} suspended\n`)
    expect(await repoStatus()).toMatchObject({ active: false, status: 'suspended' })
    await expect(nina.post({ text: 'x' })).rejects.toMatchObject({ error: 'AccountTakedown' })
    expect((await run(['status', 'nina.test', 'active'])).stdout).toBe(`${ninaDid} active\n`)
    expect((await run(['status', 'nina.test', 'bogus'])).code).toBe(2)

    const reset = await run(['reset-password', 'nina.test'])
    const password = /password: (\S+)/.exec(reset.stdout)?.[1] as string
    await anon().login({ identifier: 'nina.test', password })

    const invite = await run(['invite', '--uses', '2', '--count', '3'])
    expect(invite.stdout.trim().split('\n')).toHaveLength(3)
    expect((await admin.com.atproto.admin.getInviteCodes({})).data.codes.map((c) => c.code)).toEqual(
      expect.arrayContaining(invite.stdout.trim().split('\n')),
    )

    expect((await run(['delete', 'nina.test'])).code).toBe(2)
    expect((await run(['delete', 'nina.test', '--yes'])).stdout).toBe(`deleted ${ninaDid}\n`)
    await expect(anon().com.atproto.sync.getRepoStatus({ did: ninaDid })).rejects.toMatchObject({
      error: 'RepoNotFound',
    })
    expect((await run(['takedown', 'nobody.test'])).code).toBe(1)
  })
})
