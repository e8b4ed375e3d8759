/**
 * Byte forms of operations: DAG-CBOR of the signed op (hashed for CIDs and the DID) and of the op
 * without `sig` (what gets signed). `prev` stays a plain string in CBOR, never a CID link.
 */
import { sha256, toBase32 } from '../bytes/index.ts'
import { cidForCbor, encodeCbor } from '../data/index.ts'
import type { AnyOp, CompatibleOp, UnsignedAnyOp } from './types.ts'

/** DAG-CBOR of the whole (signed) operation. */
export function opBytes(op: AnyOp | UnsignedAnyOp): Uint8Array {
  return encodeCbor(op)
}

/** DAG-CBOR of the operation with the `sig` field removed entirely (not nulled). */
export function unsignedOpBytes(op: AnyOp | UnsignedAnyOp): Uint8Array {
  const { sig: _sig, ...unsigned } = op as AnyOp
  return encodeCbor(unsigned)
}

/** CIDv1 (dag-cbor, sha-256) of the signed operation, as the base32 string used in `prev`. */
export function cidForOp(op: AnyOp): string {
  return cidForCbor(opBytes(op)).toString()
}

/** `did:plc:` + the first `length` base32 characters of sha-256 of the signed genesis op. */
export function didForGenesisOp(op: CompatibleOp, length = 24): string {
  return `did:plc:${toBase32(sha256(opBytes(op))).slice(0, length)}`
}
