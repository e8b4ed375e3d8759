/**
 * Record key syntax (atproto.com/specs/record-key): 1-512 characters of ASCII letters, digits and `._:~-`, and not
 * exactly `.` or `..`. Does NOT check a collection's key type (tid, nsid, literal:…, any) — that is Lexicon's job.
 */
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidRecordKey}. */
export type RecordKey = string & { readonly [brand]: 'RecordKey' }

export const RECORD_KEY_MAX_LENGTH = 512
/** Source shared with the AT-URI validator (length and the `.`/`..` exclusions are checked separately). */
export const RECORD_KEY_PATTERN = '[a-zA-Z0-9._:~-]{1,512}'
const RECORD_KEY_RE = new RegExp(`^${RECORD_KEY_PATTERN}$`)

export function isValidRecordKey(s: string): s is RecordKey {
  return typeof s === 'string' && RECORD_KEY_RE.test(s) && s !== '.' && s !== '..'
}

export function ensureValidRecordKey(s: string): asserts s is RecordKey {
  if (isValidRecordKey(s)) return
  const str = String(s)
  let reason = 'only ASCII letters, digits and ._:~- are allowed'
  if (str.length === 0 || str.length > RECORD_KEY_MAX_LENGTH) reason = `must be 1 to ${RECORD_KEY_MAX_LENGTH} characters`
  else if (str === '.' || str === '..') reason = 'can not be "." or ".."'
  throw new InvalidSyntaxError('record-key', str, reason)
}
