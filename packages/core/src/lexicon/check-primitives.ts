/**
 * Compiles the scalar lexicon types: null, boolean, integer, bytes, cid-link, blob and unknown.
 * Blob checks cover the blob shape, `accept` MIME patterns and `maxSize` as declared in the record;
 * they do NOT check that the blob exists or that its declared size and type are true.
 */
import { type Check, failure } from './check.ts'
import type { LexBlob, LexBoolean, LexBytes, LexInteger } from './types.ts'
import { asBlob, dataModelProblem, isCid, isMap } from './values.ts'

export const checkNull: Check = (v) => (v === null ? undefined : failure('must be null'))

export function compileBoolean(def: LexBoolean): Check {
  const c = def.const
  if (c === undefined) return (v) => (typeof v === 'boolean' ? undefined : failure('must be a boolean'))
  return (v) => (typeof v !== 'boolean' ? failure('must be a boolean') : v !== c ? failure(`must be ${c}`) : undefined)
}

export function compileInteger(def: LexInteger): Check {
  const { const: c, minimum: min, maximum: max } = def
  const allowed = def.enum ? new Set(def.enum) : undefined
  const enumMsg = `must be one of (${def.enum?.join('|')})`
  return (v) => {
    if (!Number.isInteger(v)) return failure('must be an integer')
    const n = v as number
    if (c !== undefined && n !== c) return failure(`must be ${c}`)
    if (allowed && !allowed.has(n)) return failure(enumMsg)
    if (max !== undefined && n > max) return failure(`can not be greater than ${max}`)
    if (min !== undefined && n < min) return failure(`can not be less than ${min}`)
    return undefined
  }
}

export function compileBytes(def: LexBytes): Check {
  const { minLength: min, maxLength: max } = def
  return (v) => {
    if (!(v instanceof Uint8Array)) return failure('must be a byte array')
    if (max !== undefined && v.byteLength > max) return failure(`must not be larger than ${max} bytes`)
    if (min !== undefined && v.byteLength < min) return failure(`must not be smaller than ${min} bytes`)
    return undefined
  }
}

export const checkCidLink: Check = (v) => (isCid(v) ? undefined : failure('must be a CID'))

/** `unknown`: any data-model map that is not itself a blob or a link; its contents must be valid data. */
export const checkUnknown: Check = (v) => {
  if (!isMap(v)) return failure('must be an object')
  if (v.$type === 'blob' || (typeof v.cid === 'string' && typeof v.mimeType === 'string')) {
    return failure('must not be a blob')
  }
  const problem = dataModelProblem(v)
  return problem ? failure(problem) : undefined
}

/** Matches `*\/*`, `type/*` and exact MIME types (case-insensitively, as MIME types are). */
export function mimeMatcher(accept: string[]): (mime: string) => boolean {
  if (accept.includes('*/*')) return () => true
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const a of accept) {
    const lower = a.toLowerCase()
    if (lower.endsWith('/*')) prefixes.push(lower.slice(0, -1))
    else exact.add(lower)
  }
  return (mime) => {
    const m = mime.toLowerCase()
    if (exact.has(m)) return true
    for (const p of prefixes) if (m.startsWith(p) && m.length > p.length) return true
    return false
  }
}

export function compileBlob(def: LexBlob): Check {
  const max = def.maxSize
  const accepts = def.accept ? mimeMatcher(def.accept) : undefined
  const acceptMsg = `mimeType must match one of ${def.accept?.join(', ')}`
  return (v) => {
    const blob = asBlob(v)
    if (!blob) return failure('should be a blob ref')
    if (max !== undefined && blob.size > max) return failure(`must not be larger than ${max} bytes`)
    if (accepts && !accepts(blob.mimeType)) return failure(acceptMsg)
    return undefined
  }
}
