/** Errors thrown by the crypto module. Verification never throws: it answers false. */
export class CryptoError extends Error {
  override name = 'CryptoError'
}

/** A did:key, multikey, public key or private key that is malformed, unsupported or not on its curve. */
export class InvalidKeyError extends CryptoError {
  override name = 'InvalidKeyError'
}
