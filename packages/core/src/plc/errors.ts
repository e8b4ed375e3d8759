/**
 * Typed errors for did:plc validation. Every rejection names its reason in the message, which the
 * directory returns verbatim with a 400; callers can branch on the class.
 */
export class PlcError extends Error {
  override name = 'PlcError'
}

/** The operation is malformed: wrong shape, unknown fields, or over a field/size limit. */
export class ImproperOperationError extends PlcError {
  override name = 'ImproperOperationError'
  constructor(reason: string) {
    super(`Improperly formatted operation: ${reason}`)
  }
}

/** The operation does not attach to the log where it claims to (`prev`), or follows a tombstone. */
export class MisorderedOperationError extends PlcError {
  override name = 'MisorderedOperationError'
  constructor(reason: string) {
    super(`Operation not correctly ordered: ${reason}`)
  }
}

/** A nullifying (recovery) operation arrived after the 72-hour window closed. */
export class LateRecoveryError extends PlcError {
  override name = 'LateRecoveryError'
  constructor(readonly lapsedMs: number) {
    super(
      `Recovery operation outside of the 72 hour recovery window (${Math.round(lapsedMs / 1000)}s since the first nullified operation)`,
    )
  }
}

/** The genesis operation does not hash to the DID it was submitted for. */
export class GenesisHashError extends PlcError {
  override name = 'GenesisHashError'
  constructor(readonly expectedDid: string) {
    super(`Hash of genesis operation does not match DID identifier: expected ${expectedDid}`)
  }
}

/** No allowed rotation key verifies the signature. */
export class InvalidSignatureError extends PlcError {
  override name = 'InvalidSignatureError'
  constructor(reason: string) {
    super(`Invalid signature: ${reason}`)
  }
}

/** A key is not a supported did:key (k256 or p256). */
export class UnsupportedKeyError extends PlcError {
  override name = 'UnsupportedKeyError'
  constructor(
    readonly key: string,
    field: string,
  ) {
    super(`Unsupported key in ${field}: ${key.length > 100 ? `${key.slice(0, 100)}…` : key}`)
  }
}

/** The DID is not a syntactically valid did:plc. */
export class ImproperlyFormattedDidError extends PlcError {
  override name = 'ImproperlyFormattedDidError'
  constructor(reason: string) {
    super(`Improperly formatted DID: ${reason}`)
  }
}

/** An audit log (with nullified entries) is not one a correct directory could have produced. */
export class InvalidAuditLogError extends PlcError {
  override name = 'InvalidAuditLogError'
  constructor(
    readonly index: number,
    reason: string,
  ) {
    super(`Invalid audit log at entry ${index}: ${reason}`)
  }
}
