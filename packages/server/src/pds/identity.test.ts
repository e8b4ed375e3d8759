/**
 * Identity through the official client (@atproto/api): changing a handle (the DID document at the PLC
 * directory, the `#identity` event, the old handle freed), resolveHandle, the did:web documents this PDS
 * serves, and moving an account between two PDSes on one PLC directory — service-auth sign-up with the
 * DID (deactivated), importRepo, the mailed code for the PLC operation, activation, and what each
 * firehose says.
 */
import { AtpAgent } from '@atproto/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FirehoseClient } from './sequencer/test-oracle.ts'
import { codeIn, readMails, waitForMail } from './test-mail.ts'
import { type TestPds, type TestPlc, startTestPds, startTestPlc } from './test-util.ts'

let plc: TestPlc
let a: TestPds

beforeAll(async () => {
  plc = await startTestPlc()
  a = await startTestPds({ rateLimits: false }, { plc })
}, 60_000)
afterAll(async () => {
  await a?.close()
  await plc?.close()
})

async function signUp(pds: TestPds, handle: string, email = `${handle.split('.')[0]}@example.com`): Promise<AtpAgent> {
  const agent = new AtpAgent({ service: pds.url })
  await agent.createAccount({ handle, email, password: `pw-${handle}` })
  return agent
}

const plcData = async (did: string) => (await fetch(`${plc.url}/${did}/data`)).json()

describe('handles', () => {
  it('changes the handle: DID document, #identity, the old handle freed', async () => {
    const kim = await signUp(a, 'kim.test')
    const did = kim.session?.did as string
    const fh = await FirehoseClient.connect(a.url)
    await kim.updateHandle({ handle: 'Kimberly.test' })
    await fh.waitFor((f) => f.some((x) => x.t === '#identity'))
    expect(fh.frames.find((x) => x.t === '#identity')?.body).toMatchObject({ did, handle: 'kimberly.test' })
    await fh.close()
    expect((await plcData(did)).alsoKnownAs).toEqual(['at://kimberly.test'])
    expect((await kim.com.atproto.server.getSession()).data.handle).toBe('kimberly.test')
    const anon = new AtpAgent({ service: a.url })
    expect((await anon.com.atproto.identity.resolveHandle({ handle: 'kimberly.test' })).data.did).toBe(did)
    await expect(anon.com.atproto.identity.resolveHandle({ handle: 'kim.test' })).rejects.toMatchObject({
      error: 'HandleNotFound',
    })
    const atprotoDid = (host: string) => a.pds.handle(new Request(`http://${host}/.well-known/atproto-did`))
    expect(await (await atprotoDid('kimberly.test')).text()).toBe(did)
    expect((await atprotoDid('kim.test')).status).toBe(404)
    // Someone else may take the old one now, but not the new one.
    const other = await signUp(a, 'kim.test', 'kim2@example.com')
    await expect(other.updateHandle({ handle: 'kimberly.test' })).rejects.toMatchObject({ error: 'HandleNotAvailable' })
    await expect(other.updateHandle({ handle: 'x.test' })).rejects.toMatchObject({ error: 'InvalidHandle' })
    await expect(other.updateHandle({ handle: 'kim.example.com' })).rejects.toMatchObject({ error: 'InvalidHandle' })
  })

  it('serves the service did:web document, and 404 for other hosts', async () => {
    const didJson = (host: string) => a.pds.handle(new Request(`http://${host}/.well-known/did.json`))
    const res = await didJson('localhost')
    expect(res.headers.get('content-type')).toMatch(/^application\/did\+ld\+json/)
    expect(await res.json()).toMatchObject({
      id: 'did:web:localhost',
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: a.url }],
    })
    expect((await didJson('nobody.test')).status).toBe(404)
  })
})

describe('moving an account to another PDS', () => {
  let b: TestPds
  beforeAll(async () => {
    b = await startTestPds({ rateLimits: false, serviceDid: 'did:web:pds-b.test' }, { plc })
  })
  afterAll(async () => {
    await b?.close()
  })

  it('signs up with its DID, imports the repo, switches the DID with the mailed code, activates', async () => {
    const old = await signUp(a, 'mover.test')
    const did = old.session?.did as string
    await old.post({ text: 'written on the old PDS' })

    // 1. A service-auth token from the old PDS proves the DID to the new one.
    const anonB = new AtpAgent({ service: b.url })
    await expect(
      anonB.createAccount({ did, handle: 'mover.test', email: 'mover@example.com', password: 'new-pw' }),
    ).rejects.toMatchObject({ status: 401 })
    const { token } = (
      await old.com.atproto.server.getServiceAuth({
        aud: 'did:web:pds-b.test',
        lxm: 'com.atproto.server.createAccount',
      })
    ).data
    const fhB = await FirehoseClient.connect(b.url)
    const created = await anonB.com.atproto.server.createAccount(
      { did, handle: 'mover.test', email: 'mover@example.com', password: 'new-pw' },
      { headers: { authorization: `Bearer ${token}` } },
    )
    expect(created.data.did).toBe(did)
    const neu = new AtpAgent({ service: b.url })
    await neu.login({ identifier: did, password: 'new-pw' })
    expect((await neu.com.atproto.server.getSession()).data).toMatchObject({ active: false, status: 'deactivated' })
    let status = (await neu.com.atproto.server.checkAccountStatus()).data
    expect(status).toMatchObject({ activated: false, validDid: false, indexedRecords: 0 })
    await expect(neu.com.atproto.server.activateAccount()).rejects.toMatchObject({ error: 'InvalidRequest' })

    // 2. The repository.
    const car = (await old.com.atproto.sync.getRepo({ did })).data
    await neu.com.atproto.repo.importRepo(car, { encoding: 'application/vnd.ipld.car' })
    status = (await neu.com.atproto.server.checkAccountStatus()).data
    expect(status.indexedRecords).toBe(1)

    // 3. The DID: the old PDS signs (mailed code), the new one checks and submits.
    const creds = (await neu.com.atproto.identity.getRecommendedDidCredentials()).data
    expect(creds).toMatchObject({
      rotationKeys: [b.pds.ctx.keys.rotationKey.did()],
      verificationMethods: { atproto: b.pds.ctx.signingKey(did).did() },
      services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: b.url } },
    })
    const n = readMails(a.dataDir).length
    await old.com.atproto.identity.requestPlcOperationSignature()
    const code = codeIn(await waitForMail(a.dataDir, 'mover@example.com', 'plc_operation', n))
    await expect(old.com.atproto.identity.signPlcOperation({ token: 'AAAAA-AAAAA', ...creds })).rejects.toMatchObject({
      error: 'InvalidToken',
    })
    const { operation } = (await old.com.atproto.identity.signPlcOperation({ token: code, ...creds })).data
    const wrong = {
      ...(operation as Record<string, unknown>),
      services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: a.url } },
    }
    await expect(neu.com.atproto.identity.submitPlcOperation({ operation: wrong })).rejects.toMatchObject({
      error: 'InvalidRequest',
    })
    await neu.com.atproto.identity.submitPlcOperation({ operation })
    expect(await plcData(did)).toMatchObject({
      rotationKeys: [b.pds.ctx.keys.rotationKey.did()],
      services: { atproto_pds: { endpoint: b.url } },
    })

    // 4. Activate here, deactivate there.
    expect((await neu.com.atproto.server.checkAccountStatus()).data).toMatchObject({ validDid: true, activated: false })
    await neu.com.atproto.server.activateAccount()
    await old.com.atproto.server.deactivateAccount({})
    await fhB.waitFor((f) => f.some((x) => x.t === '#account'))
    await fhB.waitFor((f) => f.slice(f.findIndex((x) => x.t === '#account')).some((x) => x.t === '#sync'))
    // Before activation: no #account and no #commit for the account on the new firehose (the DID update is
    // announced with #identity); activation sends #account (active), #identity, #sync.
    const at = fhB.frames.findIndex((x) => x.t === '#account')
    expect(fhB.frames.slice(0, at).filter((f) => f.t === '#commit' || f.t === '#account')).toEqual([])
    expect(fhB.frames.slice(0, at).some((f) => f.t === '#identity' && f.body.did === did)).toBe(true)
    expect(fhB.frames.slice(at).map((f) => [f.t, f.body.did ?? f.body.repo])).toEqual([
      ['#account', did],
      ['#identity', did],
      ['#sync', did],
    ])
    expect(fhB.frames[at].body).toMatchObject({ active: true })
    await fhB.close()
    const posts = await new AtpAgent({ service: b.url }).com.atproto.repo.listRecords({
      repo: did,
      collection: 'app.bsky.feed.post',
    })
    expect(posts.data.records.map((r) => (r.value as { text: string }).text)).toEqual(['written on the old PDS'])
    await neu.post({ text: 'written on the new PDS' })
    expect((await new AtpAgent({ service: a.url }).com.atproto.sync.getRepoStatus({ did })).data).toMatchObject({
      active: false,
      status: 'deactivated',
    })
  })
})
