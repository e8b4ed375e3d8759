/**
 * atproto cryptography: k256 (secp256k1) and p256 key pairs, did:key / multikey encoding, ECDSA signatures
 * over sha-256 in the compact low-S form. All synchronous. Node uses libsecp256k1 (k256) and OpenSSL (p256);
 * browsers use @noble/curves (see platform/<node|browser>/crypto.ts).
 */
export { CryptoError, InvalidKeyError } from './errors.ts'
export { type JwtAlg, K256, P256 } from './curves.ts'
export { type Keypair, type KeypairOptions, Secp256k1Keypair, P256Keypair } from './keypair.ts'
export {
  type ParsedKey,
  DID_KEY_PREFIX,
  parseDidKey,
  formatDidKey,
  parseMultikey,
  formatMultikey,
  parseDidDocKey,
} from './did-key.ts'
export { type VerifyOptions, verifySignature } from './verify.ts'
export { randomBytes } from '#platform/crypto'
