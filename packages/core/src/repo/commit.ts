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
  // Exactly FIELDS: as many keys, each of them present (no sorted copy: this runs once per relayed commit).
  const fields = Object.keys(o)
  if (fields.length !== FIELDS.length || !FIELDS.every((f) => Object.hasOwn(o, f))) {
    if (typeof o.version === 'number' && o.version !== 3) {
      throw new RepoVerificationError('bad-commit', `unsupported commit version ${o.version}`)
    }
    bad(`fields must be exactly ${FIELDS.join(', ')} (got ${fields.sort().join(', ')})`)
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

/** Length of the CBOR text or byte string whose head is at `at` (head included), or -1 if it is not one. */
function stringItemLength(b: Uint8Array, at: number, major: number): number {
  const first = b[at]
  if (first >> 5 !== major) return -1
  const info = first & 0x1f
  if (info < 24) return 1 + info
  if (info === 24) return 2 + b[at + 1]
  if (info === 25) return 3 + ((b[at + 1] << 8) | b[at + 2])
  return -1
}

/**
 * The signed bytes of a decoded commit block, cut out of the block instead of re-encoded: a valid block is
 * canonical DAG-CBOR (decodeCommit's strict decoder), so its keys sit in the order did, rev, sig, data,
 * prev, version and dropping `sig` (and counting one key less) gives exactly encodeCbor of the unsigned
 * commit. Undefined when the layout is not that (the caller re-encodes).
 */
function unsignedBytes(b: Uint8Array): Uint8Array | undefined {
  // map(6), "did" <text>, "rev" <text>, "sig" <bytes>, ...
  if (b[0] !== 0xa6 || b[1] !== 0x63 || b[2] !== 0x64 || b[3] !== 0x69 || b[4] !== 0x64) return undefined
  const did = stringItemLength(b, 5, 3)
  if (did < 0) return undefined
  const rev = 5 + did
  if (b[rev] !== 0x63 || b[rev + 1] !== 0x72 || b[rev + 2] !== 0x65 || b[rev + 3] !== 0x76) return undefined
  const revLen = stringItemLength(b, rev + 4, 3)
  if (revLen < 0) return undefined
  const sig = rev + 4 + revLen
  if (b[sig] !== 0x63 || b[sig + 1] !== 0x73 || b[sig + 2] !== 0x69 || b[sig + 3] !== 0x67) return undefined
  const sigLen = stringItemLength(b, sig + 4, 2)
  if (sigLen < 0 || sig + 4 + sigLen > b.length) return undefined
  const rest = sig + 4 + sigLen
  const out = new Uint8Array(b.length - (rest - sig))
  out[0] = 0xa5
  out.set(b.subarray(1, sig), 1)
  out.set(b.subarray(rest), sig)
  return out
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
  if (opts.signingKey === undefined) return commit
  const unsigned = unsignedBytes(bytes)
  const valid = unsigned
    ? verifySignature(opts.signingKey, unsigned, commit.sig)
    : verifyCommitSignature(commit, opts.signingKey)
  if (!valid) {
    throw new RepoVerificationError('bad-signature', `commit signature does not verify with ${opts.signingKey}`)
  }
  return commit
}
