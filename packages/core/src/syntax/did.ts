/**
 * DID syntax as atproto restricts it (atproto.com/specs/did): `did:` + lowercase method + `:` + an identifier of
 * ASCII letters, digits and `._:%-`, not ending in `:` or `%`, at most 2048 characters.
 * Does NOT check the method (plc, web, …) is supported, nor that percent-encoding is well formed (the spec leaves
 * that to DID methods; the official validator does not check it either), nor that the DID resolves.
 */
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidDid}. */
export type Did = string & { readonly [brand]: 'Did' }

export const DID_MAX_LENGTH = 2048

/** The spec's DID regex; the source is shared with the in-place matcher below. */
const DID_PATTERN = 'did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]'
const DID_RE = new RegExp(`^${DID_PATTERN}$`)
// Sticky, and ending at a '/' or the end: matches a DID inside a longer string (an AT-URI) without slicing it.
const DID_AT = new RegExp(`${DID_PATTERN}(?=/|$)`, 'y')

export function isValidDid(s: string): s is Did {
  return typeof s === 'string' && s.length <= DID_MAX_LENGTH && DID_RE.test(s)
}

/** Validates s[start, end) as a DID, in place. `end` must be the end of `s` or the index of a '/'. */
export function isDidAt(s: string, start: number, end: number): boolean {
  if (end - start > DID_MAX_LENGTH) return false
  DID_AT.lastIndex = start
  return DID_AT.test(s) && DID_AT.lastIndex === end
}

export function ensureValidDid(s: string): asserts s is Did {
  if (!isValidDid(s)) throw new InvalidSyntaxError('did', String(s), didProblem(String(s)))
}

/** Explains why `s` is not a DID; only called on failure, so it may be slow. */
function didProblem(s: string): string {
  if (!s.startsWith('did:')) return 'must start with "did:"'
  if (s.length > DID_MAX_LENGTH) return `longer than ${DID_MAX_LENGTH} characters`
  if (/[^a-zA-Z0-9._:%-]/.test(s)) return 'only ASCII letters, digits and ._:%- are allowed'
  const parts = s.split(':')
  if (parts.length < 3) return 'needs a method and a method-specific identifier'
  if (!/^[a-z]+$/.test(parts[1])) return 'method must be lowercase letters'
  if (s.endsWith(':') || s.endsWith('%')) return 'can not end with ":" or "%"'
  return 'does not match DID syntax'
}
