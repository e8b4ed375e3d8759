/**
 * Renders DID state as a W3C DID document in the form the public directory serves today:
 * `Multikey` verification methods with `<did>#<id>` ids and the did:key multibase, plus the
 * curve's security-suite context, and `#<id>` services.
 */
import { decodeVarint, fromBase58btc } from '../bytes/index.ts'
import type { DidDocService, DidDocVerificationMethod, DocumentData, PlcDidDocument } from './types.ts'

/** Security-suite context by multicodec: p256-pub, secp256k1-pub. */
const SUITE_CONTEXT = new Map<number, string>([
  [0x1200, 'https://w3id.org/security/suites/ecdsa-2019/v1'],
  [0xe7, 'https://w3id.org/security/suites/secp256k1-2019/v1'],
])

/**
 * The key's curve is read from its multicodec prefix only: keys were fully validated when their op
 * was accepted, and this runs on every resolution. Unparsable historical keys get no suite context.
 */
function suiteContext(key: string): string | undefined {
  if (!key.startsWith('did:key:z') || key.length > 140) return undefined
  try {
    return SUITE_CONTEXT.get(decodeVarint(fromBase58btc(key.slice(9)))[0])
  } catch {
    return undefined
  }
}

export function formatDidDoc(data: DocumentData): PlcDidDocument {
  const context = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1']
  const verificationMethod: DidDocVerificationMethod[] = []
  for (const [id, key] of Object.entries(data.verificationMethods)) {
    const suite = suiteContext(key)
    if (suite && !context.includes(suite)) context.push(suite)
    verificationMethod.push({
      id: `${data.did}#${id}`,
      type: 'Multikey',
      controller: data.did,
      publicKeyMultibase: key.startsWith('did:key:') ? key.slice('did:key:'.length) : key,
    })
  }
  const service: DidDocService[] = Object.entries(data.services).map(([id, s]) => ({
    id: `#${id}`,
    type: s.type,
    serviceEndpoint: s.endpoint,
  }))
  return { '@context': context, id: data.did, alsoKnownAs: data.alsoKnownAs, verificationMethod, service }
}
