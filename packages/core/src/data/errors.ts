/** Typed errors of the data module. Each names the layer that rejected the input. */

/** Malformed or non-canonical DAG-CBOR, or a value the atproto data model cannot encode. */
export class CborError extends Error {
  override name = 'CborError'
}

/** Malformed CAR v1 bytes: bad varints, oversized sections, truncation, or a block whose hash does not match. */
export class CarError extends Error {
  override name = 'CarError'
}

/** A CID that is not a well-formed CIDv1 (binary or base32 string form). */
export class CidError extends Error {
  override name = 'CidError'
}
