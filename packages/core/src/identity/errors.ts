/** Typed identity errors. Resolution that simply finds nothing returns null/undefined instead. */
export class IdentityError extends Error {
  override name = 'IdentityError'
}

export class PoorlyFormattedDidError extends IdentityError {
  override name = 'PoorlyFormattedDidError'
  constructor(
    readonly did: string,
    reason: string,
  ) {
    super(`Poorly formatted DID: ${did.slice(0, 100)} (${reason})`)
  }
}

export class UnsupportedDidMethodError extends IdentityError {
  override name = 'UnsupportedDidMethodError'
  constructor(readonly did: string) {
    super(`Unsupported DID method: ${did.slice(0, 100)}`)
  }
}

export class PoorlyFormattedDidDocumentError extends IdentityError {
  override name = 'PoorlyFormattedDidDocumentError'
  constructor(
    readonly did: string,
    reason: string,
  ) {
    super(`Poorly formatted DID document for ${did}: ${reason}`)
  }
}

export class DidNotFoundError extends IdentityError {
  override name = 'DidNotFoundError'
  constructor(readonly did: string) {
    super(`Could not resolve DID: ${did}`)
  }
}

export class HandleNotFoundError extends IdentityError {
  override name = 'HandleNotFoundError'
  constructor(readonly handle: string) {
    super(`Could not resolve handle: ${handle}`)
  }
}

/** A network fetch was refused or failed: unsafe target, timeout, oversize body, redirect, HTTP error. */
export class FetchError extends IdentityError {
  override name = 'FetchError'
  constructor(
    readonly url: string,
    reason: string,
    readonly status?: number,
  ) {
    super(`Fetch of ${url.slice(0, 200)} failed: ${reason}`)
  }
}

/** The atproto fields (signing key, PDS, handle) are missing or invalid. */
export class MissingAtprotoDataError extends IdentityError {
  override name = 'MissingAtprotoDataError'
  constructor(
    readonly did: string,
    field: string,
  ) {
    super(`DID document for ${did} has no valid ${field}`)
  }
}
