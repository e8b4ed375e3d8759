/**
 * did:plc operations: build, sign, parse, validate (signatures against current rotation keys, prev
 * CIDs, recovery window, field limits), derive the DID and DID document, check whole logs, and a
 * typed directory client. Browser-safe; no storage or HTTP serving here (see server/plc).
 */
export type {
  AnyOp,
  CompatibleOp,
  DidDocService,
  DidDocVerificationMethod,
  DocumentData,
  ExportedOp,
  IndexedOperation,
  LegacyCreate,
  Operation,
  OpOrTombstone,
  PlcDidDocument,
  PlcService,
  Tombstone,
  UnsignedAnyOp,
  UnsignedLegacyCreate,
  UnsignedOperation,
  UnsignedTombstone,
} from './types.ts'
export {
  PlcError,
  ImproperOperationError,
  MisorderedOperationError,
  LateRecoveryError,
  GenesisHashError,
  InvalidSignatureError,
  UnsupportedKeyError,
  ImproperlyFormattedDidError,
  InvalidAuditLogError,
} from './errors.ts'
export {
  isValidPlcDid,
  ensureValidPlcDid,
  parseOperation,
  parseIncomingOperation,
  isTombstone,
  isLegacyCreate,
} from './parse.ts'
export { opBytes, unsignedOpBytes, cidForOp, didForGenesisOp } from './encoding.ts'
export { normalizeOp, opToData, rotationKeysOf, ensureAtprotoPrefix, ensureHttpPrefix } from './normalize.ts'
export {
  signOperation,
  formatAtprotoOp,
  createOp,
  createUpdateOp,
  updateHandleOp,
  updatePdsOp,
  updateAtprotoKeyOp,
  updateRotationKeysOp,
  tombstoneOp,
  signLegacyCreate,
} from './sign.ts'
export type { AtprotoOpFields } from './sign.ts'
export { decodeSig, findSigner, assureValidSig } from './verify.ts'
export { PLC_LIMITS, assertOpWithinLimits } from './limits.ts'
export type { PlcLimits } from './limits.ts'
export { RECOVERY_WINDOW_MS, assureValidCreationOp, assureValidNextOp, headCid } from './next-op.ts'
export type { NextOpResult } from './next-op.ts'
export { validateOperationLog, verifyAuditLog } from './audit-log.ts'
export type { AuditLogEntry } from './audit-log.ts'
export { formatDidDoc } from './document.ts'
export { PlcClient, PlcClientError } from './client.ts'
export type { PlcClientOptions } from './client.ts'
