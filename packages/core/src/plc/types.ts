/**
 * The did:plc data shapes: the three operation forms (regular, tombstone, legacy `create`), their
 * unsigned variants, the state they describe, log entries as the directory stores and serves them,
 * and the DID document rendered from the state. Types only; validation lives in parse.ts/limits.ts.
 */

export interface PlcService {
  type: string
  endpoint: string
}

export interface UnsignedOperation {
  type: 'plc_operation'
  rotationKeys: string[]
  verificationMethods: Record<string, string>
  alsoKnownAs: string[]
  services: Record<string, PlcService>
  /** CID string of the previous operation, or null for a genesis operation. */
  prev: string | null
}
export interface Operation extends UnsignedOperation {
  sig: string
}

export interface UnsignedTombstone {
  type: 'plc_tombstone'
  prev: string
}
export interface Tombstone extends UnsignedTombstone {
  sig: string
}

/** Deprecated genesis-only form; still served for old DIDs whose identifier hashes this shape. */
export interface UnsignedLegacyCreate {
  type: 'create'
  signingKey: string
  recoveryKey: string
  handle: string
  service: string
  prev: null
}
export interface LegacyCreate extends UnsignedLegacyCreate {
  sig: string
}

/** Operations the directory accepts from clients. */
export type OpOrTombstone = Operation | Tombstone
/** Any operation form that may carry DID state (genesis may be legacy). */
export type CompatibleOp = Operation | LegacyCreate
/** Any operation form that may appear in a log. */
export type AnyOp = Operation | Tombstone | LegacyCreate
export type UnsignedAnyOp = UnsignedOperation | UnsignedTombstone | UnsignedLegacyCreate

/** The state of an active DID, as served at `/:did/data`. */
export interface DocumentData {
  did: string
  verificationMethods: Record<string, string>
  rotationKeys: string[]
  alsoKnownAs: string[]
  services: Record<string, PlcService>
}

/** A stored log entry; `createdAt` is the server timestamp (ISO 8601, millisecond precision, `Z`). */
export interface IndexedOperation {
  did: string
  operation: AnyOp
  cid: string
  nullified: boolean
  createdAt: string
}
/** One line of `/export` and one element of `/:did/log/audit` (same shape). */
export type ExportedOp = IndexedOperation

export interface DidDocVerificationMethod {
  id: string
  type: string
  controller: string
  publicKeyMultibase: string
}
export interface DidDocService {
  id: string
  type: string
  serviceEndpoint: string
}
export interface PlcDidDocument {
  '@context': string[]
  id: string
  alsoKnownAs: string[]
  verificationMethod: DidDocVerificationMethod[]
  service: DidDocService[]
}
