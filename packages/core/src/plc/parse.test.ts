/** Operation structure, field limits, DID syntax and DID document rendering. */
import { describe, expect, it } from 'vitest'
import { P256Keypair, Secp256k1Keypair } from '../crypto/index.ts'
import type { Keypair } from '../crypto/index.ts'
import * as plc from './index.ts'
import { prng, randBytes } from './test-util.ts'

const rand = prng(0x9a75e)
const priv = () => {
  const b = randBytes(rand, 32)
  b[0] &= 0x7f
  return b
}
const K: Keypair = Secp256k1Keypair.import(priv())
const P: Keypair = P256Keypair.import(priv())
const base: plc.Operation = plc.createOp({
  signingKey: K.did(),
  handle: 'alice.test',
  pds: 'https://pds.test',
  rotationKeys: [P.did(), K.did()],
  signer: P,
}).op

describe('parseOperation', () => {
  const cases: [string, (o: Record<string, unknown>) => unknown][] = [
    ['not an object', () => 'hello'],
    ['an array', () => [1]],
    ['null', () => null],
    ['unknown type', (o) => ({ ...o, type: 'plc_whatever' })],
    ['an extra field', (o) => ({ ...o, extra: 1 })],
    ['a __proto__ field', (o) => JSON.parse(JSON.stringify(o).replace('{', '{"__proto__":{},'))],
    ['a missing field', ({ services: _s, ...o }) => o],
    ['missing sig', ({ sig: _s, ...o }) => o],
    ['rotationKeys not an array', (o) => ({ ...o, rotationKeys: 'did:key:z' })],
    ['a number in alsoKnownAs', (o) => ({ ...o, alsoKnownAs: [1] })],
    ['a non-string verification method', (o) => ({ ...o, verificationMethods: { atproto: 5 } })],
    ['a service without endpoint', (o) => ({ ...o, services: { atproto_pds: { type: 'x' } } })],
    ['a service with an extra field', (o) => ({ ...o, services: { s: { type: 'x', endpoint: 'y', z: 1 } } })],
    ['prev a number', (o) => ({ ...o, prev: 5 })],
    ['prev omitted rather than null', ({ prev: _p, ...o }) => o],
    ['tombstone with null prev', (o) => ({ type: 'plc_tombstone', prev: null, sig: o.sig })],
    [
      'legacy create with non-null prev',
      (o) => ({
        type: 'create',
        signingKey: 'a',
        recoveryKey: 'b',
        handle: 'h',
        service: 's',
        prev: 'bafy',
        sig: o.sig,
      }),
    ],
  ]
  for (const [name, mutate] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => plc.parseOperation(mutate({ ...base } as unknown as Record<string, unknown>))).toThrow(
        plc.ImproperOperationError,
      )
    })
  }

  it('accepts the three forms, and refuses legacy create from clients', () => {
    expect(plc.parseOperation(JSON.parse(JSON.stringify(base)))).toEqual(base)
    expect(plc.parseOperation({ type: 'plc_tombstone', prev: 'bafyx', sig: 'x' }).type).toBe('plc_tombstone')
    const legacy = {
      type: 'create',
      signingKey: 'a',
      recoveryKey: 'b',
      handle: 'h',
      service: 's',
      prev: null,
      sig: 'x',
    }
    expect(plc.parseOperation(legacy).type).toBe('create')
    expect(() => plc.parseIncomingOperation(legacy)).toThrow(/no longer accepted/)
  })
})

describe('assertOpWithinLimits', () => {
  const sign = (changes: Partial<plc.UnsignedOperation>) => plc.signOperation({ ...base, ...changes }, P)
  const fresh = (n: number) => {
    const rand = prng(n)
    return Array.from({ length: n }, () => {
      const b = randBytes(rand, 32)
      b[0] &= 0x7f
      return Secp256k1Keypair.import(b).did()
    })
  }

  it('accepts values exactly at the limits', () => {
    const op = sign({
      rotationKeys: fresh(5),
      alsoKnownAs: Array.from({ length: 10 }, (_, i) => `at://${String(i).padEnd(253, 'a')}`),
      services: Object.fromEntries(
        Array.from({ length: 3 }, (_, i) => [`s${i}`.padEnd(32, 'x'), { type: 't', endpoint: 'https://e.test' }]),
      ),
      verificationMethods: { ['v'.repeat(32)]: K.did() },
    })
    expect(() => plc.assertOpWithinLimits(op)).not.toThrow()
  })

  const bad: [string, Partial<plc.UnsignedOperation>, RegExp][] = [
    ['no rotation keys', { rotationKeys: [] }, /at least one/],
    ['six rotation keys', { rotationKeys: fresh(6) }, /too many rotation keys/],
    [
      'an unsupported rotation key',
      { rotationKeys: ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'] },
      /Unsupported key/,
    ],
    [
      'eleven alsoKnownAs entries',
      { alsoKnownAs: Array.from({ length: 11 }, (_, i) => `at://${i}.test`) },
      /too many alsoKnownAs/,
    ],
    ['a 259-character alsoKnownAs', { alsoKnownAs: [`at://${'a'.repeat(254)}`] }, /too long/],
    ['duplicate alsoKnownAs', { alsoKnownAs: ['at://a.test', 'at://a.test'] }, /duplicate/],
    [
      'eleven services',
      { services: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`s${i}`, { type: 't', endpoint: 'e' }])) },
      /too many services/,
    ],
    ['a 33-character service id', { services: { ['s'.repeat(33)]: { type: 't', endpoint: 'e' } } }, /service id/],
    ['a long service type', { services: { s: { type: 't'.repeat(257), endpoint: 'e' } } }, /service type/],
    [
      'a long service endpoint',
      { services: { s: { type: 't', endpoint: `https://${'e'.repeat(505)}` } } },
      /service endpoint/,
    ],
    [
      'a 33-character verification method id',
      { verificationMethods: { ['v'.repeat(33)]: K.did() } },
      /verification method id/,
    ],
    ['an invalid verification key', { verificationMethods: { atproto: 'did:key:zNotAKey' } }, /Unsupported key/],
    [
      'eleven verification methods',
      { verificationMethods: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`v${i}`, K.did()])) },
      /too many verification methods/,
    ],
    [
      'more than 7500 bytes of DAG-CBOR',
      {
        verificationMethods: Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [`v${i}`.padEnd(32, 'x'), 'x'.repeat(700)]),
        ),
      },
      /too large/,
    ],
  ]
  for (const [name, changes, re] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => plc.assertOpWithinLimits(sign(changes))).toThrow(re)
    })
  }

  it('rejects duplicated valid rotation keys', () => {
    expect(() => plc.assertOpWithinLimits(sign({ rotationKeys: [P.did(), P.did()] }))).toThrow(/duplicate/)
  })
})

describe('DIDs and documents', () => {
  it('genesis DIDs are did:plc: plus 24 base32 characters', () => {
    const did = plc.didForGenesisOp(base)
    expect(did).toMatch(/^did:plc:[a-z2-7]{24}$/)
    expect(plc.isValidPlcDid(did)).toBe(true)
    for (const bad of [
      'did:plc:ABCDEFGHIJKLMNOPQRSTUVWX',
      'did:plc:abc',
      'did:plc:aaaaaaaaaaaaaaaaaaaaaaa1',
      'did:web:a.test',
    ]) {
      expect(plc.isValidPlcDid(bad)).toBe(false)
    }
  })

  it('renders the spec example as the Multikey document form', () => {
    // Data from the did:plc specification's "Presentation as DID Document" section.
    const did = 'did:plc:7iza6de2dwap2sbkpav7c6c6'
    const data: plc.DocumentData = {
      did,
      verificationMethods: { atproto: 'did:key:zDnaeh9v2RmcMo13Du2d6pjUf5bZwtauYxj3n9dYjw4EZUAR7' },
      rotationKeys: [
        'did:key:zDnaedvvAsDE6H3BDdBejpx9ve2Tz95cymyCAKF66JbyMh1Lt',
        'did:key:zDnaeh9v2RmcMo13Du2d6pjUf5bZwtauYxj3n9dYjw4EZUAR7',
      ],
      alsoKnownAs: ['at://alice.test'],
      services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: 'https://example2.com' } },
    }
    expect(plc.formatDidDoc(data)).toEqual({
      '@context': [
        'https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/multikey/v1',
        'https://w3id.org/security/suites/ecdsa-2019/v1',
      ],
      id: did,
      alsoKnownAs: ['at://alice.test'],
      verificationMethod: [
        {
          id: `${did}#atproto`,
          type: 'Multikey',
          controller: did,
          publicKeyMultibase: 'zDnaeh9v2RmcMo13Du2d6pjUf5bZwtauYxj3n9dYjw4EZUAR7',
        },
      ],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://example2.com' }],
    })
  })
})
