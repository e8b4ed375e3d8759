/**
 * Converts the legacy `create` form to a regular operation (recovery key first, so it outranks the
 * signing key), and derives DID state from an operation. Pure data shuffling; no validation.
 */
import type { CompatibleOp, DocumentData, AnyOp, Operation } from './types.ts'

export function ensureAtprotoPrefix(s: string): string {
  if (s.startsWith('at://')) return s
  return `at://${s.replace(/^https?:\/\//, '')}`
}

export function ensureHttpPrefix(s: string): string {
  if (s.startsWith('http://') || s.startsWith('https://')) return s
  return `https://${s}`
}

/** The regular-operation view of any state-carrying op (a no-op for `plc_operation`). */
export function normalizeOp(op: CompatibleOp): Operation {
  if (op.type === 'plc_operation') return op
  return {
    type: 'plc_operation',
    verificationMethods: { atproto: op.signingKey },
    rotationKeys: [op.recoveryKey, op.signingKey],
    alsoKnownAs: [ensureAtprotoPrefix(op.handle)],
    services: { atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint: ensureHttpPrefix(op.service) } },
    prev: op.prev,
    sig: op.sig,
  }
}

/** Rotation keys in force after `op` (tombstones have none). */
export function rotationKeysOf(op: AnyOp): string[] {
  return op.type === 'plc_tombstone' ? [] : normalizeOp(op).rotationKeys
}

/** The DID state an operation sets; null for a tombstone (the DID is deactivated). */
export function opToData(did: string, op: AnyOp): DocumentData | null {
  if (op.type === 'plc_tombstone') return null
  const { verificationMethods, rotationKeys, alsoKnownAs, services } = normalizeOp(op)
  return { did, verificationMethods, rotationKeys, alsoKnownAs, services }
}
