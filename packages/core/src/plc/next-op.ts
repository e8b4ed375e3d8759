/**
 * The acceptance rule for one proposed operation against a DID's active (non-nullified) log:
 * genesis must hash to the DID and be self-signed; otherwise `prev` must name an active op that is
 * not a tombstone, and the signer must be one of that op's rotation keys. If `prev` is not the head,
 * the later ops are nullified, which needs a key of strictly higher priority than the one that
 * signed the first nullified op, within 72 hours of that op. Does NOT apply size/field limits
 * (see limits.ts) so it can also replay historical logs.
 */
import { CID } from '../data/index.ts'
import { didForGenesisOp } from './encoding.ts'
import { GenesisHashError, LateRecoveryError, MisorderedOperationError, PlcError } from './errors.ts'
import { ensureValidPlcDid } from './parse.ts'
import { normalizeOp, opToData, rotationKeysOf } from './normalize.ts'
import type { AnyOp, DocumentData, IndexedOperation } from './types.ts'
import { assureValidSig, findSigner } from './verify.ts'

/** The recovery window: 72 hours, inclusive. */
export const RECOVERY_WINDOW_MS = 72 * 60 * 60 * 1000

export interface NextOpResult {
  /** CIDs of active ops this op nullifies (empty unless it forks from an earlier op). */
  nullified: string[]
  /** CID this op follows, or null for genesis. */
  prev: string | null
  /** The rotation key that signed it. */
  signer: string
}

function checkGenesis(did: string, op: AnyOp): { data: DocumentData; signer: string } {
  ensureValidPlcDid(did)
  if (op.type === 'plc_tombstone') throw new MisorderedOperationError('a log cannot start with a tombstone')
  if (op.prev !== null) throw new MisorderedOperationError('genesis operation must have prev: null')
  const signer = assureValidSig(normalizeOp(op).rotationKeys, op, 'rotation keys of the genesis operation')
  const expected = didForGenesisOp(op)
  if (expected !== did) throw new GenesisHashError(expected)
  return { data: opToData(did, op) as DocumentData, signer }
}

/** Validates a genesis op for `did` and returns the state it creates. */
export function assureValidCreationOp(did: string, op: AnyOp): DocumentData {
  return checkGenesis(did, op).data
}

/** Index of the op whose CID is `prev`; non-canonical CID strings are compared in canonical form. */
function indexOfCid(ops: readonly IndexedOperation[], prev: string): number {
  const exact = ops.findIndex((o) => o.cid === prev)
  if (exact >= 0) return exact
  let canonical: string
  try {
    canonical = CID.parse(prev).toString()
  } catch {
    return -1
  }
  return canonical === prev ? -1 : ops.findIndex((o) => o.cid === canonical)
}

/**
 * Checks `proposed` against `ops` (the DID's active log, oldest first) at time `now`.
 * Throws a PlcError subclass naming the reason; returns what to nullify otherwise.
 */
export function assureValidNextOp(
  did: string,
  ops: readonly IndexedOperation[],
  proposed: AnyOp,
  now: Date | number = Date.now(),
): NextOpResult {
  if (ops.length === 0) return { nullified: [], prev: null, signer: checkGenesis(did, proposed).signer }
  if (proposed.type === 'create')
    throw new MisorderedOperationError('legacy create is only valid as a genesis operation')
  if (proposed.prev === null)
    throw new MisorderedOperationError('DID already exists; prev must name an earlier operation')
  const prev = proposed.prev
  const index = indexOfCid(ops, prev)
  if (index < 0) throw new MisorderedOperationError(`prev ${prev.slice(0, 80)} is not an active operation of ${did}`)
  const base = ops[index]
  if (base.operation.type === 'plc_tombstone') throw new MisorderedOperationError('cannot follow a tombstone')
  const keys = rotationKeysOf(base.operation)
  const nullified = ops.slice(index + 1)
  if (nullified.length === 0) {
    return { nullified: [], prev: base.cid, signer: assureValidSig(keys, proposed) }
  }
  const disputed = findSigner(keys, nullified[0].operation)
  if (disputed === null) throw new PlcError('stored log is inconsistent: nullification target has no valid signer')
  const stronger = keys.slice(0, keys.indexOf(disputed))
  const signer = assureValidSig(
    stronger,
    proposed,
    'rotation keys with higher priority than the signer of the operations it would nullify',
  )
  const lapsed = Number(now) - Date.parse(nullified[0].createdAt)
  if (lapsed > RECOVERY_WINDOW_MS) throw new LateRecoveryError(lapsed)
  return { nullified: nullified.map((o) => o.cid), prev: base.cid, signer }
}

/** The CID the next op must reference to extend the head of an active log. */
export function headCid(ops: readonly IndexedOperation[]): string | null {
  return ops.length ? ops[ops.length - 1].cid : null
}
