/**
 * NSID syntax (atproto.com/specs/nsid): a reversed domain authority followed by a name, at least three
 * period-separated segments, at most 317 characters. Authority segments are 1-63 ASCII letters, digits and hyphens,
 * not starting or ending with a hyphen, the first (the TLD) not starting with a digit. The name is 1-63 ASCII
 * letters and digits, not starting with a digit, and is case-sensitive.
 * Does NOT enforce the spec prose's 253-character cap on the authority alone: the interop vectors (and the
 * official validator) accept a 283-character authority, so only the 317 total is checked.
 * Does NOT check that the authority's domain exists or publishes the lexicon.
 */
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidNsid}. */
export type Nsid = string & { readonly [brand]: 'Nsid' }

export const NSID_MAX_LENGTH = 317

/** Source shared with the AT-URI validator. */
export const NSID_PATTERN =
  '[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?' +
  '(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+' +
  '\\.[a-zA-Z][a-zA-Z0-9]{0,62}'
const NSID_RE = new RegExp(`^${NSID_PATTERN}$`)

export interface ParsedNsid {
  /** The domain authority in normal (not reversed) order: `app.bsky.feed.post` → `feed.bsky.app`. */
  authority: string
  name: string
  segments: string[]
}

export function isValidNsid(s: string): s is Nsid {
  return typeof s === 'string' && s.length <= NSID_MAX_LENGTH && NSID_RE.test(s)
}

export function ensureValidNsid(s: string): asserts s is Nsid {
  if (!isValidNsid(s)) throw new InvalidSyntaxError('nsid', String(s), nsidProblem(String(s)))
}

export function parseNsid(s: string): ParsedNsid {
  ensureValidNsid(s)
  const segments = s.split('.')
  const name = segments[segments.length - 1]
  const authority = segments.slice(0, -1).reverse().join('.')
  return { authority, name, segments }
}

/** Builds an NSID from a domain authority in normal order and a name: (`feed.bsky.app`, `post`). */
export function makeNsid(authority: string, name: string): Nsid {
  const s = `${authority.split('.').reverse().join('.')}.${name}`
  ensureValidNsid(s)
  return s
}

function nsidProblem(s: string): string {
  if (s.length > NSID_MAX_LENGTH) return `longer than ${NSID_MAX_LENGTH} characters`
  if (/[^a-zA-Z0-9.-]/.test(s)) return 'only ASCII letters, digits, hyphens and periods are allowed'
  const segments = s.split('.')
  if (segments.length < 3) return 'needs at least three segments'
  for (const seg of segments) {
    if (seg.length === 0) return 'segments can not be empty'
    if (seg.length > 63) return 'segments are at most 63 characters'
    if (seg.startsWith('-') || seg.endsWith('-')) return 'segments can not start or end with a hyphen'
  }
  if (/^[0-9]/.test(segments[0])) return 'the first segment can not start with a digit'
  return 'the name (last segment) must be letters and digits, not starting with a digit'
}
