/**
 * Record key syntax (atproto.com/specs/record-key): 1-512 characters of ASCII letters, digits and `._:~-`, and not
 * exactly `.` or `..`. Does NOT check a collection's key type (tid, nsid, literal:…, any) — that is Lexicon's job.
 */
import { RKEY, allIn } from './chars.ts'
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidRecordKey}. */
export type RecordKey = string & { readonly [brand]: 'RecordKey' }

export const RECORD_KEY_MAX_LENGTH = 512

/** Validates s[start, end) as a record key, in place. */
export function isRecordKeyAt(s: string, start: number, end: number): boolean {
  const n = end - start
  if (n < 1 || n > RECORD_KEY_MAX_LENGTH || !allIn(s, start, end, RKEY)) return false
  // '.' and '..' are reserved path segments, not keys.
  return !(n <= 2 && s.charCodeAt(start) === 46 && s.charCodeAt(end - 1) === 46)
}

export function isValidRecordKey(s: string): s is RecordKey {
  return typeof s === 'string' && isRecordKeyAt(s, 0, s.length)
}

export function ensureValidRecordKey(s: string): asserts s is RecordKey {
  if (isValidRecordKey(s)) return
  const str = String(s)
  throw new InvalidSyntaxError('record-key', str, recordKeyProblem(str))
}

function recordKeyProblem(s: string): string {
  if (s.length === 0 || s.length > RECORD_KEY_MAX_LENGTH) return `must be 1 to ${RECORD_KEY_MAX_LENGTH} characters`
  if (s === '.' || s === '..') return 'can not be "." or ".."'
  return 'only ASCII letters, digits and ._:~- are allowed'
}
