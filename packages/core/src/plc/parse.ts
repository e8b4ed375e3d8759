/**
 * Structural parsing of operations from JSON: exact field sets (unknown fields are rejected rather
 * than stripped, because stripping would silently change the signed bytes), JSON types, and the
 * did:plc identifier syntax. Does NOT check signatures, keys, sizes or log position.
 */
import { ImproperOperationError, ImproperlyFormattedDidError } from './errors.ts'
import type { AnyOp, LegacyCreate, Operation, OpOrTombstone, PlcService, Tombstone } from './types.ts'

const PLC_DID_RE = /^did:plc:[a-z2-7]{24}$/

export function isValidPlcDid(did: string): boolean {
  return PLC_DID_RE.test(did)
}

export function ensureValidPlcDid(did: string): void {
  if (typeof did !== 'string' || !PLC_DID_RE.test(did)) {
    throw new ImproperlyFormattedDidError('expected did:plc: followed by 24 base32 characters')
  }
}

type Obj = Record<string, unknown>

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

function exactKeys(o: Obj, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new ImproperOperationError(`unexpected field ${where}${k}`)
  }
  for (const k of keys) {
    if (!(k in o)) throw new ImproperOperationError(`missing field ${where}${k}`)
  }
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ImproperOperationError(`${path} must be a string`)
  return v
}

function strArray(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new ImproperOperationError(`${path} must be an array of strings`)
  for (let i = 0; i < v.length; i++) str(v[i], `${path}[${i}]`)
  return v as string[]
}

function strMap(v: unknown, path: string): Record<string, string> {
  if (!isObject(v)) throw new ImproperOperationError(`${path} must be an object`)
  for (const [k, x] of Object.entries(v)) str(x, `${path}.${k}`)
  return v as Record<string, string>
}

function services(v: unknown): Record<string, PlcService> {
  if (!isObject(v)) throw new ImproperOperationError('services must be an object')
  for (const [id, s] of Object.entries(v)) {
    if (!isObject(s)) throw new ImproperOperationError(`services.${id} must be an object`)
    exactKeys(s, ['type', 'endpoint'], `services.${id}.`)
    str(s.type, `services.${id}.type`)
    str(s.endpoint, `services.${id}.endpoint`)
  }
  return v as Record<string, PlcService>
}

function parseRegular(o: Obj): Operation {
  exactKeys(o, ['type', 'rotationKeys', 'verificationMethods', 'alsoKnownAs', 'services', 'prev', 'sig'], '')
  strArray(o.rotationKeys, 'rotationKeys')
  strMap(o.verificationMethods, 'verificationMethods')
  strArray(o.alsoKnownAs, 'alsoKnownAs')
  services(o.services)
  if (o.prev !== null) str(o.prev, 'prev')
  str(o.sig, 'sig')
  return o as unknown as Operation
}

function parseTombstone(o: Obj): Tombstone {
  exactKeys(o, ['type', 'prev', 'sig'], '')
  str(o.prev, 'prev')
  str(o.sig, 'sig')
  return o as unknown as Tombstone
}

function parseLegacy(o: Obj): LegacyCreate {
  exactKeys(o, ['type', 'signingKey', 'recoveryKey', 'handle', 'service', 'prev', 'sig'], '')
  for (const k of ['signingKey', 'recoveryKey', 'handle', 'service', 'sig']) str(o[k], k)
  if (o.prev !== null) throw new ImproperOperationError('prev of a legacy create operation must be null')
  return o as unknown as LegacyCreate
}

/** Parses any log operation form (regular, tombstone, legacy create). Returns the input object. */
export function parseOperation(input: unknown): AnyOp {
  if (!isObject(input)) throw new ImproperOperationError('expected a JSON object')
  switch (input.type) {
    case 'plc_operation':
      return parseRegular(input)
    case 'plc_tombstone':
      return parseTombstone(input)
    case 'create':
      return parseLegacy(input)
    default:
      throw new ImproperOperationError('type must be plc_operation, plc_tombstone or create')
  }
}

/** Parses an operation a client may submit today: regular or tombstone, never legacy create. */
export function parseIncomingOperation(input: unknown): OpOrTombstone {
  const op = parseOperation(input)
  if (op.type === 'create') throw new ImproperOperationError('legacy create operations are no longer accepted')
  return op
}

export function isTombstone(op: AnyOp): op is Tombstone {
  return op.type === 'plc_tombstone'
}

export function isLegacyCreate(op: AnyOp): op is LegacyCreate {
  return op.type === 'create'
}
