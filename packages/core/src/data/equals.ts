/** Deep equality of data-model values (CIDs and bytes by content; a BlobRef equals its blob map). */
import { BlobRef } from './blob-ref.ts'
import { CID } from './cid.ts'
import type { LexValue } from './types.ts'

export function lexEquals(a: LexValue | undefined, b: LexValue | undefined): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (a instanceof BlobRef) return lexEquals(a.toDataModel() as LexValue, b)
  if (b instanceof BlobRef) return lexEquals(a, b.toDataModel() as LexValue)
  if (a instanceof CID || b instanceof CID) return a instanceof CID && b instanceof CID && a.equals(b)
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!lexEquals(a[i], b[i])) return false
    return true
  }
  const ka = Object.keys(a).filter((k) => a[k] !== undefined)
  const kb = Object.keys(b).filter((k) => b[k] !== undefined)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !lexEquals(a[k], b[k])) return false
  }
  return true
}
