/**
 * NSID syntax (atproto.com/specs/nsid): a reversed domain authority followed by a name, at least three
 * period-separated segments, at most 317 characters. Authority segments are 1-63 ASCII letters, digits and hyphens,
 * not starting or ending with a hyphen, the first (the TLD) not starting with a digit. The name is 1-63 ASCII
 * letters and digits, not starting with a digit, and is case-sensitive.
 * Does NOT enforce the spec prose's 253-character cap on the authority alone: the interop vectors (and the
 * official validator) accept a 283-character authority, so only the 317 total is checked.
 * Does NOT check that the authority's domain exists or publishes the lexicon.
 */
import { ALNUM, ALPHA, LABEL, TABLE } from './chars.ts'
import { InvalidSyntaxError } from './errors.ts'
import { isLabelEnd } from './handle.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidNsid}. */
export type Nsid = string & { readonly [brand]: 'Nsid' }

export const NSID_MAX_LENGTH = 317

/**
 * Validates s[start, end) as an NSID, in place. Equivalent to the spec's regex
 * `^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+(\.[a-zA-Z][a-zA-Z0-9]{0,62})$`
 * plus the length limit.
 */
export function isNsidAt(s: string, start: number, end: number): boolean {
  if (end - start > NSID_MAX_LENGTH) return false
  let segStart = start
  let segments = 0
  let hyphen = false // in the current segment, which may turn out to be the name
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 46 /* . */) {
      if (!isLabelEnd(s, segStart, i)) return false
      segments++
      segStart = i + 1
      hyphen = false
    } else if (c >= 128 || (TABLE[c] & (i === segStart ? ALNUM : LABEL)) === 0) {
      return false
    } else if (c === 45 /* - */) {
      hyphen = true
    }
  }
  const nameLength = end - segStart
  if (segments < 2 || hyphen || nameLength < 1 || nameLength > 63) return false
  // The first segment (the TLD) and the name both start with a letter.
  return (TABLE[s.charCodeAt(start)] & ALPHA) !== 0 && (TABLE[s.charCodeAt(segStart)] & ALPHA) !== 0
}

export interface ParsedNsid {
  /** The domain authority in normal (not reversed) order: `app.bsky.feed.post` → `feed.bsky.app`. */
  authority: string
  name: string
  segments: string[]
}

export function isValidNsid(s: string): s is Nsid {
  return typeof s === 'string' && isNsidAt(s, 0, s.length)
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
