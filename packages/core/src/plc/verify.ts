/**
 * Signature checks: the `sig` must be canonical unpadded base64url of a 64-byte compact signature
 * (low-S; DER and high-S are rejected by crypto/), made over the DAG-CBOR of the op without `sig`.
 * Keys are tried in list order, so the returned signer is the highest-priority matching key.
 */
import { fromBase64Url, toBase64Url } from '../bytes/index.ts'
import { verifySignature } from '../crypto/index.ts'
import { unsignedOpBytes } from './encoding.ts'
import { InvalidSignatureError } from './errors.ts'
import type { AnyOp } from './types.ts'

/** Decodes `sig` only if it is exactly the canonical base64url of 64 bytes; otherwise null. */
export function decodeSig(sig: string): Uint8Array | null {
  if (sig.length !== 86) return null
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(sig)
  } catch {
    return null
  }
  // Re-encoding catches padding characters and non-zero trailing bits (malleable encodings).
  if (bytes.length !== 64 || toBase64Url(bytes) !== sig) return null
  return bytes
}

/** The first key in `keys` whose signature over `op` verifies, or null. */
export function findSigner(keys: readonly string[], op: AnyOp): string | null {
  const sig = decodeSig(op.sig)
  if (!sig || keys.length === 0) return null
  const data = unsignedOpBytes(op)
  for (const key of keys) {
    let ok = false
    try {
      ok = verifySignature(key, data, sig)
    } catch {
      ok = false // an unparsable historical key simply cannot sign
    }
    if (ok) return key
  }
  return null
}

/** Like findSigner, but throws InvalidSignatureError naming `what` keys were tried. */
export function assureValidSig(keys: readonly string[], op: AnyOp, what = 'current rotation keys'): string {
  if (decodeSig(op.sig) === null)
    throw new InvalidSignatureError('sig is not canonical base64url of a 64-byte signature')
  const signer = findSigner(keys, op)
  if (signer === null) throw new InvalidSignatureError(`not signed by any of the ${what} (${keys.length} tried)`)
  return signer
}
