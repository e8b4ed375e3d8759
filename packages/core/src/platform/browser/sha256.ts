import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'

/** SHA-256 in pure JS: synchronous, which the MST and CID code need. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}
