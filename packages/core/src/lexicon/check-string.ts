/**
 * Compiles a lexicon `string` schema: const, enum, length in UTF-8 bytes, length in graphemes, and
 * the string format (checked by the syntax module). `knownValues` is advisory and not enforced.
 * Cheap bounds on the UTF-16 length skip the byte and grapheme counts whenever they cannot matter.
 */
import { graphemeLength, utf8Length } from '../bytes/index.ts'
import { CID } from '../data/index.ts'
import {
  isValidAtIdentifier,
  isValidAtUri,
  isValidCidString,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  isValidUri,
} from '../syntax/index.ts'
import { type Check, type Fail, failure } from './check.ts'
import type { LexString, LexStringFormat } from './types.ts'

/** The syntax check, then a full decode: a truncated digest has valid syntax but is not a CID. */
function isCidString(s: string): boolean {
  if (!isValidCidString(s)) return false
  try {
    CID.parse(s)
    return true
  } catch {
    return false
  }
}

const FORMATS: Record<LexStringFormat, [(s: string) => boolean, string]> = {
  'at-identifier': [isValidAtIdentifier, 'must be a valid did or a handle'],
  'at-uri': [isValidAtUri, 'must be a valid at-uri'],
  cid: [isCidString, 'must be a cid string'],
  datetime: [isValidDatetime, 'must be an valid atproto datetime (both RFC-3339 and ISO-8601)'],
  did: [isValidDid, 'must be a valid did'],
  handle: [isValidHandle, 'must be a valid handle'],
  language: [isValidLanguage, 'must be a well-formed BCP 47 language tag'],
  nsid: [isValidNsid, 'must be a valid nsid'],
  'record-key': [isValidRecordKey, 'must be a valid Record Key'],
  tid: [isValidTid, 'must be a valid TID'],
  uri: [isValidUri, 'must be a uri'],
}

type StringRule = (s: string) => Fail | undefined

function byteRule(min: number | undefined, max: number | undefined): StringRule | undefined {
  if (min === undefined && max === undefined) return undefined
  const lo = min ?? 0
  const hi = max ?? Number.POSITIVE_INFINITY
  return (s) => {
    // UTF-8 length is between the UTF-16 length and three times it.
    if (s.length >= lo && s.length * 3 <= hi) return undefined
    if (s.length * 3 < lo) return failure(`must not be shorter than ${lo} characters`)
    const n = utf8Length(s)
    if (n > hi) return failure(`must not be longer than ${hi} characters`)
    if (n < lo) return failure(`must not be shorter than ${lo} characters`)
    return undefined
  }
}

function graphemeRule(min: number | undefined, max: number | undefined): StringRule | undefined {
  if (min === undefined && max === undefined) return undefined
  const lo = min ?? 0
  const hi = max ?? Number.POSITIVE_INFINITY
  return (s) => {
    // A string has at most as many graphemes as UTF-16 code units.
    if (s.length < lo) return failure(`must not be shorter than ${lo} graphemes`)
    if (s.length <= hi && lo === 0) return undefined
    const n = graphemeLength(s)
    if (n > hi) return failure(`must not be longer than ${hi} graphemes`)
    if (n < lo) return failure(`must not be shorter than ${lo} graphemes`)
    return undefined
  }
}

function valueRule(def: LexString): StringRule | undefined {
  const c = def.const
  if (c !== undefined) return (s) => (s === c ? undefined : failure(`must be ${c}`))
  if (!def.enum) return undefined
  const allowed = new Set(def.enum)
  const msg = `must be one of (${def.enum.join('|')})`
  return (s) => (allowed.has(s) ? undefined : failure(msg))
}

function formatRule(format: LexStringFormat | undefined): StringRule | undefined {
  if (format === undefined) return undefined
  const [isValid, msg] = FORMATS[format]
  return (s) => (isValid(s) ? undefined : failure(msg))
}

export function compileString(def: LexString): Check {
  const rules = [
    valueRule(def),
    byteRule(def.minLength, def.maxLength),
    graphemeRule(def.minGraphemes, def.maxGraphemes),
    formatRule(def.format),
  ].filter((r): r is StringRule => r !== undefined)
  const [a, b, c] = rules
  // Specialised for the common rule counts so the hot path has no loop or array access.
  if (rules.length === 0) return (v) => (typeof v === 'string' ? undefined : failure('must be a string'))
  if (rules.length === 1) return (v) => (typeof v === 'string' ? a(v) : failure('must be a string'))
  if (rules.length === 2) return (v) => (typeof v === 'string' ? (a(v) ?? b(v)) : failure('must be a string'))
  if (rules.length === 3) {
    return (v) => (typeof v === 'string' ? (a(v) ?? b(v) ?? c(v)) : failure('must be a string'))
  }
  return (v) => {
    if (typeof v !== 'string') return failure('must be a string')
    for (const rule of rules) {
      const f = rule(v)
      if (f) return f
    }
    return undefined
  }
}
