/**
 * The identity resolvers against our directory on loopback: documents served by the directory
 * parse to the expected atproto data; cached documents go stale until refreshed; tombstoned DIDs
 * stop resolving.
 */
import { P256Keypair, Secp256k1Keypair } from '@stratus/core/crypto'
import { DidResolver, IdResolver } from '@stratus/core/identity'
import * as plc from '@stratus/core/plc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prng, randBytes } from '../../../core/src/plc/test-util.ts'
import { type TestDirectory, openBackend, startTestDirectory } from './test-setup.ts'

const rand = prng(0x2e50)
const priv = () => {
  const b = randBytes(rand, 32)
  b[0] &= 0x7f
  return b
}
const rotation = P256Keypair.import(priv())
const signing = Secp256k1Keypair.import(priv())

describe('resolving DIDs from the directory', () => {
  let t: TestDirectory
  beforeAll(async () => {
    t = await startTestDirectory((await openBackend('sqlite', 'resolver'))!, { realClock: true })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('resolves, caches, refreshes and forgets tombstoned DIDs', async () => {
    const client = new plc.PlcClient(t.url)
    const did = await client.createDid({
      signingKey: signing.did(),
      handle: 'alice.test',
      pds: 'http://localhost:2583',
      rotationKeys: [rotation.did()],
      signer: rotation,
    })
    const resolver = new DidResolver({ plcUrl: t.url })
    expect(await resolver.resolveAtprotoData(did)).toEqual({
      did,
      signingKey: signing.did(),
      handle: 'alice.test',
      pds: 'http://localhost:2583',
    })
    await client.updateHandle(did, rotation, 'bob.test')
    expect((await resolver.resolveAtprotoData(did)).handle).toBe('alice.test') // cached
    expect((await resolver.resolveAtprotoData(did, true)).handle).toBe('bob.test')
    await client.tombstone(did, rotation)
    expect(await resolver.refresh(did)).toBeNull()
    expect(await resolver.resolve(did)).toBeNull()
  })

  it('checks handles both ways against directory documents', async () => {
    const client = new plc.PlcClient(t.url)
    const did = await client.createDid({
      signingKey: signing.did(),
      handle: 'carol.test',
      pds: 'http://localhost:2583',
      rotationKeys: [rotation.did()],
      signer: rotation,
    })
    const dns = (target: string) => ({
      resolveTxt: async (name: string) => (name === '_atproto.carol.test' ? [`did=${target}`] : []),
      lookup: async () => null,
    })
    const good = new IdResolver({ plcUrl: t.url, dns: dns(did), allowPrivateNetwork: true })
    expect(await good.resolveIdentity('carol.test')).toMatchObject({
      did,
      handle: 'carol.test',
      signingKey: signing.did(),
    })
    const bad = new IdResolver({
      plcUrl: t.url,
      dns: dns('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'),
      allowPrivateNetwork: true,
    })
    expect((await bad.resolveIdentity(did)).handle).toBe('handle.invalid')
  })
})
