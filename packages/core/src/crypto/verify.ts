/**
 * Signature verification against a did:key: sha-256 of the message, compact 64-byte r||s, low-S only
 * (unless `allowMalleableSig`, which also admits high-S and DER). Answers false for anything malformed —
 * bad did:key, wrong types, bad signature bytes — and never throws. Parsed keys are kept in a bounded LRU
 * cache because a relay checks the same account keys over and over.
 */
import { type CurveBackends, backendFor, platformBackends } from './backend.ts'
import { type CurveInfo, curveForAlg } from './curves.ts'
import { parseDidKey } from './did-key.ts'
import { LruMap } from './lru.ts'
import { toVerifiable } from './signature.ts'

export interface VerifyOptions {
  /** Accept high-S and DER-encoded signatures (not valid in atproto; for legacy data only). */
  allowMalleableSig?: boolean
}

export type VerifyFn = (didKey: string, msg: Uint8Array, sig: Uint8Array, opts?: VerifyOptions) => boolean

interface KeyEntry {
  curve: CurveInfo
  /** Backend-specific parsed key (uncompressed bytes, or a KeyObject for OpenSSL). */
  key: unknown
}

/** How many parsed did:keys to keep: an entry is at most about a kilobyte (an OpenSSL KeyObject). */
export const KEY_CACHE_SIZE = 10_000

/** Builds a verify function over the given backends with its own key cache. */
export function createVerifier(backends: CurveBackends, cacheSize = KEY_CACHE_SIZE): VerifyFn {
  const cache = new LruMap<string, KeyEntry>(cacheSize)
  const lookup = (didKey: string): KeyEntry | null => {
    const hit = cache.get(didKey)
    if (hit !== undefined) return hit
    try {
      const { jwtAlg, keyBytes } = parseDidKey(didKey, backends)
      const curve = curveForAlg(jwtAlg)
      const entry = { curve, key: backendFor(curve, backends).importPublicKey(keyBytes) }
      cache.set(didKey, entry)
      return entry
    } catch {
      return null
    }
  }
  return (didKey, msg, sig, opts) => {
    if (!(msg instanceof Uint8Array)) return false
    const entry = lookup(didKey)
    if (entry === null) return false
    const compact = toVerifiable(sig, entry.curve, opts?.allowMalleableSig === true)
    if (compact === null) return false
    return backendFor(entry.curve, backends).verify(entry.key, msg, compact)
  }
}

/** Verifies `sig` over sha-256(`msg`) with the key in `didKey`. Never throws; false on any bad input. */
export const verifySignature: VerifyFn = createVerifier(platformBackends)
