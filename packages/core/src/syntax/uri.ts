/**
 * Lexicon `uri` strings (atproto.com/specs/lexicon#uri): any URI scheme, following RFC 3986's generic syntax — a
 * scheme (a letter, then letters, digits, `+`, `-`, `.`), a `:`, and a non-empty remainder — at most 8 KB.
 * The remainder may not contain whitespace or control characters. It is otherwise not parsed: non-ASCII
 * characters (IRIs) are tolerated, as the official validator does, because records in the wild contain them.
 * Does NOT check the scheme is registered or that the URI resolves.
 */
import { utf8Length } from '../bytes/index.ts'
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidUri}. */
export type UriString = string & { readonly [brand]: 'UriString' }

/** 8 KB of UTF-8. */
export const URI_MAX_BYTES = 8192
const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s\x00-\x1f\x7f]+$/
const NON_ASCII = /[^\x00-\x7f]/

export function isValidUri(s: string): s is UriString {
  if (typeof s !== 'string' || s.length > URI_MAX_BYTES || !URI_RE.test(s)) return false
  // Only non-ASCII text can be longer in bytes than in UTF-16 units.
  return !NON_ASCII.test(s) || utf8Length(s) <= URI_MAX_BYTES
}

export function ensureValidUri(s: string): asserts s is UriString {
  if (isValidUri(s)) return
  const str = String(s)
  let reason = 'must be scheme ":" then a non-empty remainder without whitespace'
  if (str.length > URI_MAX_BYTES || utf8Length(str) > URI_MAX_BYTES) reason = 'longer than 8 KB'
  else if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(str))
    reason = 'must start with a scheme (a letter, then a-z 0-9 + - .) and ":"'
  throw new InvalidSyntaxError('uri', str, reason)
}
