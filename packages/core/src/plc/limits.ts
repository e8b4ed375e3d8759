/**
 * Anti-abuse limits the directory applies to newly submitted operations (not to old logs being
 * audited, which predate some limits): DAG-CBOR size, rotation keys 1-5 without duplicates,
 * alsoKnownAs/services/verificationMethods counts and lengths, and parsable did:key values.
 */
import { parseDidKey } from '../crypto/index.ts'
import { opBytes } from './encoding.ts'
import { ImproperOperationError, UnsupportedKeyError } from './errors.ts'
import type { OpOrTombstone } from './types.ts'

export interface PlcLimits {
  maxOpBytes: number
  maxRotationKeys: number
  maxAlsoKnownAs: number
  maxAlsoKnownAsLength: number
  maxServices: number
  maxServiceIdLength: number
  maxServiceTypeLength: number
  maxServiceEndpointLength: number
  maxVerificationMethods: number
  maxVerificationMethodIdLength: number
}

/** 7500 bytes is the spec's DAG-CBOR cap; the per-field numbers follow the reference directory. */
export const PLC_LIMITS: Readonly<PlcLimits> = Object.freeze({
  maxOpBytes: 7500,
  maxRotationKeys: 5,
  maxAlsoKnownAs: 10,
  maxAlsoKnownAsLength: 258, // 253-char hostname + 'at://'
  maxServices: 10,
  maxServiceIdLength: 32,
  maxServiceTypeLength: 256,
  maxServiceEndpointLength: 512,
  maxVerificationMethods: 10,
  maxVerificationMethodIdLength: 32,
})

/**
 * did:keys already seen to be valid. Rotation keys are shared by many DIDs (a PDS's key signs for
 * all its accounts) and checking a p256 point costs ~100 µs, so remember the good ones (bounded).
 */
const validKeys = new Set<string>()
const VALID_KEYS_MAX = 10_000

function assertDidKey(key: string, field: string): void {
  if (validKeys.has(key)) return
  try {
    parseDidKey(key)
  } catch {
    throw new UnsupportedKeyError(key, field)
  }
  if (validKeys.size >= VALID_KEYS_MAX) validKeys.delete(validKeys.values().next().value as string)
  validKeys.add(key)
}

function assertUnique(values: readonly string[], field: string): void {
  if (new Set(values).size !== values.length) throw new ImproperOperationError(`duplicate entry in ${field}`)
}

function checkRotationKeys(keys: readonly string[], limits: PlcLimits): void {
  if (keys.length < 1) throw new ImproperOperationError('need at least one rotation key')
  if (keys.length > limits.maxRotationKeys) {
    throw new ImproperOperationError(`too many rotation keys (max ${limits.maxRotationKeys})`)
  }
  assertUnique(keys, 'rotationKeys')
  for (const k of keys) assertDidKey(k, 'rotationKeys')
}

function checkAlsoKnownAs(aka: readonly string[], limits: PlcLimits): void {
  if (aka.length > limits.maxAlsoKnownAs) {
    throw new ImproperOperationError(`too many alsoKnownAs entries (max ${limits.maxAlsoKnownAs})`)
  }
  for (const a of aka) {
    if (a.length > limits.maxAlsoKnownAsLength) {
      throw new ImproperOperationError(`alsoKnownAs entry too long (max ${limits.maxAlsoKnownAsLength})`)
    }
  }
  assertUnique(aka, 'alsoKnownAs')
}

function checkServices(op: { services: Record<string, { type: string; endpoint: string }> }, limits: PlcLimits): void {
  const entries = Object.entries(op.services)
  if (entries.length > limits.maxServices)
    throw new ImproperOperationError(`too many services (max ${limits.maxServices})`)
  for (const [id, s] of entries) {
    if (id.length === 0 || id.length > limits.maxServiceIdLength) {
      throw new ImproperOperationError(`service id must be 1-${limits.maxServiceIdLength} characters`)
    }
    if (s.type.length > limits.maxServiceTypeLength) {
      throw new ImproperOperationError(`service type too long (max ${limits.maxServiceTypeLength})`)
    }
    if (s.endpoint.length > limits.maxServiceEndpointLength) {
      throw new ImproperOperationError(`service endpoint too long (max ${limits.maxServiceEndpointLength})`)
    }
  }
}

function checkVerificationMethods(vms: Record<string, string>, limits: PlcLimits): void {
  const entries = Object.entries(vms)
  if (entries.length > limits.maxVerificationMethods) {
    throw new ImproperOperationError(`too many verification methods (max ${limits.maxVerificationMethods})`)
  }
  for (const [id, key] of entries) {
    if (id.length === 0 || id.length > limits.maxVerificationMethodIdLength) {
      throw new ImproperOperationError(
        `verification method id must be 1-${limits.maxVerificationMethodIdLength} characters`,
      )
    }
    assertDidKey(key, `verificationMethods.${id}`)
  }
}

/** Throws ImproperOperationError / UnsupportedKeyError if `op` breaks a limit. */
export function assertOpWithinLimits(op: OpOrTombstone, limits: PlcLimits = PLC_LIMITS): void {
  const size = opBytes(op).length
  if (size > limits.maxOpBytes) {
    throw new ImproperOperationError(`operation too large (${size} bytes; max ${limits.maxOpBytes} in DAG-CBOR)`)
  }
  if (op.type === 'plc_tombstone') return
  checkRotationKeys(op.rotationKeys, limits)
  checkAlsoKnownAs(op.alsoKnownAs, limits)
  checkServices(op, limits)
  checkVerificationMethods(op.verificationMethods, limits)
}
