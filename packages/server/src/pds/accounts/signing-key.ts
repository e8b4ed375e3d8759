/**
 * Per-account repo signing keys (k256), kept as hex in the account table. Importing a key is cheap but
 * not free, and every repo write needs one, so recently used keys stay in a small LRU map.
 */
import { Secp256k1Keypair } from '@stratus/core/crypto'
import type { PdsDatabase } from '../db/index.ts'

const CACHE_SIZE = 1000

export function createSigningKeyCache(
  db: PdsDatabase,
  size = CACHE_SIZE,
): { get(did: string): Secp256k1Keypair; forget(did: string): void } {
  const cache = new Map<string, Secp256k1Keypair>()
  return {
    get(did) {
      let key = cache.get(did)
      if (key) {
        cache.delete(did) // refresh recency
      } else {
        const row = db.stmt('SELECT signing_key FROM account WHERE did = ?').get(did) as
          | { signing_key: string }
          | undefined
        if (!row) throw new Error(`no signing key: account ${did} does not exist`)
        key = Secp256k1Keypair.import(row.signing_key)
        if (cache.size >= size) cache.delete(cache.keys().next().value as string)
      }
      cache.set(did, key)
      return key
    },
    forget(did) {
      cache.delete(did)
    },
  }
}
