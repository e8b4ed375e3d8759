/**
 * DID document parsing: randomized comparison with @atproto/identity's parser on well-formed
 * documents (Multikey and legacy key forms, short and full ids), plus the cases where the spec
 * asks for more care (first *valid* handle, controller must be the DID, bad keys skipped).
 */
import * as officialCrypto from '@atproto/crypto'
import * as officialId from '@atproto/identity'
import { p256 } from '@noble/curves/p256'
import { secp256k1 } from '@noble/curves/secp256k1'
import { describe, expect, it } from 'vitest'
import { toBase58btc } from '../bytes/index.ts'
import { pick, prng, randHandle, randInt, twinKey } from '../plc/test-util.ts'
import { getHandle, getPdsEndpoint, getSigningKey, parseAtprotoData, parseDidDocument } from './did-document.ts'
import type { DidDocument } from './did-document.ts'
import { MissingAtprotoDataError, PoorlyFormattedDidDocumentError } from './errors.ts'

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'

/** The legacy DID-document key form: multibase of the bare uncompressed point, typed by curve. */
function legacyMultibase(didKey: string): { type: string; publicKeyMultibase: string } {
  const { jwtAlg, keyBytes } = officialCrypto.parseDidKey(didKey)
  const curve = jwtAlg === 'ES256K' ? secp256k1 : p256
  const uncompressed = curve.ProjectivePoint.fromHex(keyBytes).toRawBytes(false)
  return {
    type: jwtAlg === 'ES256K' ? 'EcdsaSecp256k1VerificationKey2019' : 'EcdsaSecp256r1VerificationKey2019',
    publicKeyMultibase: `z${toBase58btc(uncompressed)}`,
  }
}

describe('atproto fields vs @atproto/identity', () => {
  const SEED = 0xd0c5
  it(`agree on random well-formed documents (seed ${SEED})`, async () => {
    const rand = prng(SEED)
    for (let n = 0; n < 150; n++) {
      const key = await twinKey(rand, officialCrypto)
      const short = rand() < 0.5
      const form = randInt(rand, 0, 1)
      const vm =
        form === 0
          ? { type: 'Multikey', publicKeyMultibase: key.did.slice('did:key:'.length) }
          : legacyMultibase(key.did)
      const aka = Array.from({ length: randInt(rand, 0, 3) }, () =>
        pick(rand, [`at://${randHandle(rand)}`, `https://${randHandle(rand)}`]),
      )
      const doc = {
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: DID,
        alsoKnownAs: aka,
        verificationMethod: [
          { id: `${short ? '' : DID}#other`, type: 'Multikey', controller: DID, publicKeyMultibase: 'zQ3shOther' },
          { id: `${short ? '' : DID}#atproto`, controller: DID, ...vm },
        ],
        service: [
          {
            id: `${rand() < 0.5 ? '' : DID}#atproto_pds`,
            type: pick(rand, ['AtprotoPersonalDataServer', 'Other']),
            serviceEndpoint: pick(rand, ['https://pds.test', 'http://localhost:2583', 'ftp://x', 'not a url']),
          },
        ],
      }
      const parsed = parseDidDocument(JSON.parse(JSON.stringify(doc)), DID)
      const theirs = officialId.parseToAtprotoDocument(doc as Parameters<typeof officialId.parseToAtprotoDocument>[0])
      expect({
        did: DID,
        signingKey: getSigningKey(parsed),
        handle: getHandle(parsed),
        pds: getPdsEndpoint(parsed),
      }).toEqual(theirs)
      expect(getSigningKey(parsed)).toBe(key.did)
    }
  })
})

describe('spec details', () => {
  const base = (over: Partial<DidDocument> = {}): DidDocument => ({
    id: DID,
    alsoKnownAs: ['at://alice.test'],
    verificationMethod: [
      {
        id: '#atproto',
        type: 'Multikey',
        controller: DID,
        publicKeyMultibase: 'zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
      },
    ],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.test' }],
    ...over,
  })

  it('the handle is the first valid at:// alias, lowercased', () => {
    expect(
      getHandle(base({ alsoKnownAs: ['https://x.test', 'at://not_valid', 'at://Alice.TEST', 'at://bob.test'] })),
    ).toBe('alice.test')
    expect(getHandle(base({ alsoKnownAs: ['https://x.test'] }))).toBeUndefined()
    expect(getHandle(base({ alsoKnownAs: undefined }))).toBeUndefined()
  })

  it('signing keys: controller must be the DID; unusable keys are skipped; legacy spec example decodes', () => {
    const vm = base().verificationMethod?.[0]
    expect(getSigningKey(base({ verificationMethod: [{ ...vm!, controller: 'did:plc:someoneelse' }] }))).toBeUndefined()
    expect(getSigningKey(base({ verificationMethod: [{ ...vm!, publicKeyMultibase: 'zBad' }, vm!] }))).toBe(
      `did:key:${vm!.publicKeyMultibase}`,
    )
    // The DID specification's legacy/current pair for one K-256 key.
    const legacy = {
      id: '#atproto',
      controller: DID,
      type: 'EcdsaSecp256k1VerificationKey2019',
      publicKeyMultibase: 'zQYEBzXeuTM9UR3rfvNag6L3RNAs5pQZyYPsomTsgQhsxLdEgCrPTLgFna8yqCnxPpNT7DBk6Ym3dgPKNu86vt9GR',
    }
    expect(getSigningKey(base({ verificationMethod: [legacy] }))).toBe(
      'did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
    )
    expect(getSigningKey(base({ verificationMethod: [{ ...legacy, type: 'JsonWebKey2020' }] }))).toBeUndefined()
  })

  it('PDS endpoint must be typed and http(s)', () => {
    expect(
      getPdsEndpoint(base({ service: [{ id: '#atproto_pds', type: 'Other', serviceEndpoint: 'https://pds.test' }] })),
    ).toBeUndefined()
    expect(
      getPdsEndpoint(
        base({ service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: { uri: 'x' } }] }),
      ),
    ).toBeUndefined()
    expect(
      getPdsEndpoint(
        base({
          service: [
            { id: `${DID}#atproto_pds`, type: 'AtprotoPersonalDataServer', serviceEndpoint: 'http://localhost:2583' },
          ],
        }),
      ),
    ).toBe('http://localhost:2583')
  })

  it('parseAtprotoData requires a signing key and a PDS', () => {
    expect(parseAtprotoData(base())).toMatchObject({ did: DID, handle: 'alice.test', pds: 'https://pds.test' })
    expect(() => parseAtprotoData(base({ service: [] }))).toThrow(MissingAtprotoDataError)
    expect(() => parseAtprotoData(base({ verificationMethod: [] }))).toThrow(MissingAtprotoDataError)
  })

  it('parseDidDocument rejects documents that are structurally wrong', () => {
    const bad: unknown[] = [
      null,
      [],
      'doc',
      { ...base(), id: 'did:plc:other' },
      { ...base(), alsoKnownAs: 'at://a.test' },
      { ...base(), alsoKnownAs: [1] },
      { ...base(), verificationMethod: [{ id: '#atproto' }] },
      { ...base(), verificationMethod: {} },
      { ...base(), service: [{ id: '#atproto_pds', type: 'x', serviceEndpoint: 5 }] },
    ]
    for (const b of bad) expect(() => parseDidDocument(b, DID)).toThrow(PoorlyFormattedDidDocumentError)
    expect(parseDidDocument({ ...base(), extra: { anything: true } }, DID).extra).toEqual({ anything: true })
  })
})
