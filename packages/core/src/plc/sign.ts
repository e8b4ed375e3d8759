/**
 * Building and signing operations with a rotation key: genesis (returns the DID too), updates that
 * edit the previous state, tombstones, and the legacy create form (for tests of old logs only).
 */
import { toBase64Url } from '../bytes/index.ts'
import type { Keypair } from '../crypto/index.ts'
import { cidForOp, didForGenesisOp, unsignedOpBytes } from './encoding.ts'
import { ensureAtprotoPrefix, ensureHttpPrefix, normalizeOp } from './normalize.ts'
import type {
  CompatibleOp,
  LegacyCreate,
  Operation,
  Tombstone,
  UnsignedAnyOp,
  UnsignedLegacyCreate,
  UnsignedOperation,
  UnsignedTombstone,
} from './types.ts'

type Signed<T> = T & { sig: string }

/** Signs the DAG-CBOR of `unsigned` (any `sig` already present is dropped first). */
export function signOperation<T extends UnsignedAnyOp>(unsigned: T, signer: Keypair): Signed<T> {
  const { sig: _old, ...rest } = unsigned as T & { sig?: string }
  const sig = toBase64Url(signer.sign(unsignedOpBytes(rest as T)))
  return { ...(rest as T), sig }
}

export interface AtprotoOpFields {
  signingKey: string
  handle: string
  pds: string
  rotationKeys: string[]
}

/** An unsigned atproto-shaped operation: `#atproto` key, `at://` handle, `#atproto_pds` service. */
export function formatAtprotoOp(opts: AtprotoOpFields & { prev: string | null }): UnsignedOperation {
  return {
    type: 'plc_operation',
    verificationMethods: { atproto: opts.signingKey },
    rotationKeys: opts.rotationKeys,
    alsoKnownAs: [ensureAtprotoPrefix(opts.handle)],
    services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: ensureHttpPrefix(opts.pds) } },
    prev: opts.prev,
  }
}

/** Signed genesis operation and the DID it defines. */
export function createOp(opts: AtprotoOpFields & { signer: Keypair }): { op: Operation; did: string } {
  const op = signOperation(formatAtprotoOp({ ...opts, prev: null }), opts.signer)
  return { op, did: didForGenesisOp(op) }
}

/** Signed update whose content is `fn(previous state)` and whose `prev` is the CID of `lastOp`. */
export function createUpdateOp(
  lastOp: CompatibleOp,
  signer: Keypair,
  fn: (prev: Omit<UnsignedOperation, 'prev'>) => Omit<UnsignedOperation, 'prev'>,
): Operation {
  const { sig: _sig, prev: _prev, ...state } = normalizeOp(lastOp)
  const next = fn(structuredClone(state))
  return signOperation({ ...next, type: 'plc_operation', prev: cidForOp(lastOp) }, signer)
}

export function updateHandleOp(lastOp: CompatibleOp, signer: Keypair, handle: string): Operation {
  const uri = ensureAtprotoPrefix(handle)
  return createUpdateOp(lastOp, signer, (s) => {
    const i = s.alsoKnownAs.findIndex((a) => a.startsWith('at://'))
    const aka = i < 0 ? [uri, ...s.alsoKnownAs] : s.alsoKnownAs.map((a, j) => (j === i ? uri : a))
    return { ...s, alsoKnownAs: aka }
  })
}

export function updatePdsOp(lastOp: CompatibleOp, signer: Keypair, endpoint: string): Operation {
  return createUpdateOp(lastOp, signer, (s) => ({
    ...s,
    services: {
      ...s.services,
      atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: ensureHttpPrefix(endpoint) },
    },
  }))
}

export function updateAtprotoKeyOp(lastOp: CompatibleOp, signer: Keypair, signingKey: string): Operation {
  return createUpdateOp(lastOp, signer, (s) => ({
    ...s,
    verificationMethods: { ...s.verificationMethods, atproto: signingKey },
  }))
}

export function updateRotationKeysOp(lastOp: CompatibleOp, signer: Keypair, rotationKeys: string[]): Operation {
  return createUpdateOp(lastOp, signer, (s) => ({ ...s, rotationKeys }))
}

/** Signed tombstone pointing at `prev` (the CID string of the operation it follows). */
export function tombstoneOp(prev: string, signer: Keypair): Tombstone {
  const unsigned: UnsignedTombstone = { type: 'plc_tombstone', prev }
  return signOperation(unsigned, signer)
}

/** Signs a legacy `create` op. Only for reproducing old logs; new DIDs must use createOp. */
export function signLegacyCreate(unsigned: UnsignedLegacyCreate, signer: Keypair): LegacyCreate {
  return signOperation(unsigned, signer)
}
