/**
 * Signed commits, version 3: `{ did, version: 3, data, rev, prev: null, sig }`. The signature is the
 * account key's signature over the DAG-CBOR encoding of the commit without `sig`.
 *
 * `decodeCommit` checks the shape strictly: the six fields (no others), `did` a valid DID, `rev` a valid
 * TID, `data` a CID, `prev` a CID or null, `sig` bytes. It does not check the signature (verifyCommit
 * does, given the DID's current signing key) or anything about the tree `data` points to.
 */
import { type Block, CID, type LexMap, decodeCbor, encodeBlock, encodeCbor } from '../data/index.ts'
import { type Keypair, verifySignature } from '../crypto/index.ts'
import { isValidDid, isValidTid } from '../syntax/index.ts'
import { RepoVerificationError } from './errors.ts'

export interface UnsignedCommit {
  did: string
  version: 3
  data: CID
  rev: string
  prev: CID | null
}

export interface Commit extends UnsignedCommit {
  sig: Uint8Array
}

export function signCommit(unsigned: UnsignedCommit, keypair: Keypair): Commit {
  const { did, version, data, rev, prev } = unsigned
  const body = { did, version, data, rev, prev }
  return { ...body, sig: keypair.sign(encodeCbor(body)) }
}

/** Checks the signature against a did:key (the DID's current atproto signing key). */
export function verifyCommitSignature(commit: Commit, didKey: string): boolean {
  const { did, version, data, rev, prev } = commit
  return verifySignature(didKey, encodeCbor({ did, version, data, rev, prev }), commit.sig)
}

export function encodeCommit(commit: Commit): Block {
  const { did, version, data, rev, prev, sig } = commit
  return encodeBlock({ did, version, data, rev, prev, sig })
}

const FIELDS = ['data', 'did', 'prev', 'rev', 'sig', 'version']

function bad(msg: string): never {
  throw new RepoVerificationError('bad-commit', `invalid commit: ${msg}`)
}

/** Decodes and shape-checks a commit block (see the module comment). */
export function decodeCommit(bytes: Uint8Array): Commit {
  let obj: unknown
  try {
    obj = decodeCbor(bytes)
  } catch (err) {
    bad(`not DAG-CBOR (${(err as Error).message})`)
  }
  if (
    typeof obj !== 'object' ||
    obj === null ||
    Array.isArray(obj) ||
    obj instanceof CID ||
    obj instanceof Uint8Array
  ) {
    bad('not a map')
  }
  const o = obj as LexMap
  const fields = Object.keys(o).sort()
  if (fields.length !== FIELDS.length || fields.some((f, i) => f !== FIELDS[i])) {
    if (typeof o.version === 'number' && o.version !== 3) {
      throw new RepoVerificationError('bad-commit', `unsupported commit version ${o.version}`)
    }
    bad(`fields must be exactly ${FIELDS.join(', ')} (got ${fields.join(', ')})`)
  }
  const { did, version, data, rev, prev, sig } = o
  if (version !== 3) throw new RepoVerificationError('bad-commit', `unsupported commit version ${String(version)}`)
  if (typeof did !== 'string' || !isValidDid(did)) bad('"did" is not a valid DID')
  if (!(data instanceof CID)) bad('"data" is not a CID link')
  if (typeof rev !== 'string' || !isValidTid(rev)) {
    throw new RepoVerificationError('bad-rev', `invalid commit: "rev" is not a valid TID: ${JSON.stringify(rev)}`)
  }
  if (prev !== null && !(prev instanceof CID)) bad('"prev" is not a CID link or null')
  if (!(sig instanceof Uint8Array)) bad('"sig" is not a byte string')
  return { did, version: 3, data, rev, prev, sig }
}

/**
 * Decodes a commit and checks it: the expected DID (if given) and, if a did:key is given, the signature.
 * Throws RepoVerificationError with code wrong-did / bad-signature / bad-commit / bad-rev.
 */
export function verifyCommit(bytes: Uint8Array, opts: { did?: string; signingKey?: string } = {}): Commit {
  const commit = decodeCommit(bytes)
  if (opts.did !== undefined && commit.did !== opts.did) {
    throw new RepoVerificationError('wrong-did', `commit is for ${commit.did}, expected ${opts.did}`)
  }
  if (opts.signingKey !== undefined && !verifyCommitSignature(commit, opts.signingKey)) {
    throw new RepoVerificationError('bad-signature', `commit signature does not verify with ${opts.signingKey}`)
  }
  return commit
}
