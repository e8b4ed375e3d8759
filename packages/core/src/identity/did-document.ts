/**
 * DID documents as atproto reads them: a structural parse (id must equal the DID; arrays and
 * entries must have the right JSON types; unknown fields are kept), and extraction of the atproto
 * fields: the handle (first valid `at://` alias), the signing key (`#atproto` verification method,
 * Multikey or the legacy uncompressed-key types, returned as did:key), and the PDS endpoint
 * (`#atproto_pds`, type AtprotoPersonalDataServer, http(s) URL). Does NOT check that the handle
 * resolves back to the DID; identity-resolver.ts does that.
 */
import { formatDidKey, parseDidDocKey } from '../crypto/index.ts'
import { isValidHandle } from '../syntax/index.ts'
import { MissingAtprotoDataError, PoorlyFormattedDidDocumentError } from './errors.ts'

export interface VerificationMethod {
  id: string
  type: string
  controller: string
  publicKeyMultibase?: string
  [k: string]: unknown
}

export interface Service {
  id: string
  type: string
  serviceEndpoint: string | Record<string, unknown>
  [k: string]: unknown
}

export interface DidDocument {
  '@context'?: unknown
  id: string
  alsoKnownAs?: string[]
  verificationMethod?: VerificationMethod[]
  service?: Service[]
  [k: string]: unknown
}

export interface AtprotoData {
  did: string
  /** did:key form of the `#atproto` signing key. */
  signingKey: string
  /** Claimed handle (lowercase); NOT verified. */
  handle: string | undefined
  pds: string
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function checkArray(did: string, doc: Record<string, unknown>, field: string, item: (v: unknown) => boolean): void {
  const v = doc[field]
  if (v === undefined) return
  if (!Array.isArray(v) || !v.every(item)) throw new PoorlyFormattedDidDocumentError(did, `invalid ${field}`)
}

const isVm = (v: unknown) =>
  isObj(v) &&
  typeof v.id === 'string' &&
  typeof v.type === 'string' &&
  typeof v.controller === 'string' &&
  (v.publicKeyMultibase === undefined || typeof v.publicKeyMultibase === 'string')

const isService = (v: unknown) =>
  isObj(v) &&
  typeof v.id === 'string' &&
  typeof v.type === 'string' &&
  (typeof v.serviceEndpoint === 'string' || isObj(v.serviceEndpoint))

/** Structural check of a resolved document; `did` is the DID it was resolved for. */
export function parseDidDocument(json: unknown, did: string): DidDocument {
  if (!isObj(json)) throw new PoorlyFormattedDidDocumentError(did, 'not a JSON object')
  if (json.id !== did) throw new PoorlyFormattedDidDocumentError(did, 'id does not match the DID')
  checkArray(did, json, 'alsoKnownAs', (v) => typeof v === 'string')
  checkArray(did, json, 'verificationMethod', isVm)
  checkArray(did, json, 'service', isService)
  return json as DidDocument
}

function matchesId(doc: DidDocument, itemId: string, fragment: string): boolean {
  return itemId === `#${fragment}` || itemId === `${doc.id}#${fragment}`
}

/** The first `at://` alias that is a syntactically valid handle, lowercased. */
export function getHandle(doc: DidDocument): string | undefined {
  for (const aka of doc.alsoKnownAs ?? []) {
    if (!aka.startsWith('at://')) continue
    const handle = aka.slice(5).toLowerCase()
    if (isValidHandle(handle)) return handle
  }
  return undefined
}

function vmToDidKey(vm: VerificationMethod): string | undefined {
  if (!vm.publicKeyMultibase) return undefined
  try {
    const { jwtAlg, keyBytes } = parseDidDocKey(vm.type, vm.publicKeyMultibase)
    return formatDidKey(jwtAlg, keyBytes)
  } catch {
    return undefined // unsupported type or bad key: look for the next candidate
  }
}

/** did:key of the verification method `#<id>` (default `atproto`) controlled by the DID itself. */
export function getVerificationKey(doc: DidDocument, id = 'atproto'): string | undefined {
  for (const vm of doc.verificationMethod ?? []) {
    if (!matchesId(doc, vm.id, id) || vm.controller !== doc.id) continue
    const key = vmToDidKey(vm)
    if (key) return key
  }
  return undefined
}

export function getSigningKey(doc: DidDocument): string | undefined {
  return getVerificationKey(doc, 'atproto')
}

function isHttpUrl(s: string): boolean {
  if (!s.startsWith('http://') && !s.startsWith('https://')) return false
  try {
    new URL(s)
    return true
  } catch {
    return false
  }
}

/** Endpoint URL of the first service `#<id>` of `type`, if it is an http(s) URL. */
export function getServiceEndpoint(doc: DidDocument, opts: { id: string; type?: string }): string | undefined {
  const fragment = opts.id.replace(/^#/, '')
  for (const s of doc.service ?? []) {
    if (!matchesId(doc, s.id, fragment)) continue
    if (opts.type && s.type !== opts.type) return undefined
    return typeof s.serviceEndpoint === 'string' && isHttpUrl(s.serviceEndpoint) ? s.serviceEndpoint : undefined
  }
  return undefined
}

export function getPdsEndpoint(doc: DidDocument): string | undefined {
  return getServiceEndpoint(doc, { id: 'atproto_pds', type: 'AtprotoPersonalDataServer' })
}

/** The atproto fields; throws MissingAtprotoDataError if the signing key or PDS is missing. */
export function parseAtprotoData(doc: DidDocument): AtprotoData {
  const signingKey = getSigningKey(doc)
  if (!signingKey) throw new MissingAtprotoDataError(doc.id, 'atproto signing key')
  const pds = getPdsEndpoint(doc)
  if (!pds) throw new MissingAtprotoDataError(doc.id, 'atproto_pds service')
  return { did: doc.id, signingKey, handle: getHandle(doc), pds }
}
