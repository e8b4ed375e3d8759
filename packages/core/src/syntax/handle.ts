/**
 * Handle syntax (atproto.com/specs/handle): a DNS hostname of at least two ASCII labels, each 1-63 characters of
 * letters, digits and hyphens, not starting or ending with a hyphen; the last label (TLD) starts with a letter;
 * at most 253 characters. Handles are case-insensitive; {@link normalizeHandle} lowercases.
 * Does NOT reject special-use TLDs (.local, .onion, …): they are valid syntax, and registration policy uses
 * {@link isValidTld}. Does NOT validate punycode or that the domain exists.
 */
import { ALNUM, ALPHA, LABEL, TABLE } from './chars.ts'
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidHandle}. */
export type Handle = string & { readonly [brand]: 'Handle' }

export const HANDLE_MAX_LENGTH = 253
/** The handle shown for an account whose handle no longer verifies. */
export const INVALID_HANDLE = 'handle.invalid'

/** Reserved or special-use TLDs that must not be registered as account handles (policy, not syntax). */
export const DISALLOWED_TLDS: readonly string[] = [
  '.local',
  '.arpa',
  '.invalid',
  '.localhost',
  '.internal',
  '.example',
  '.alt',
  '.onion',
]

/** A DNS label s[start, end): 1-63 characters, not ending with a hyphen (the first character is checked by the caller). */
export function isLabelEnd(s: string, start: number, end: number): boolean {
  const n = end - start
  return n >= 1 && n <= 63 && s.charCodeAt(end - 1) !== 45 /* - */
}

/**
 * Validates s[start, end) as a handle, in place. Equivalent to the spec's regex
 * `^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$` plus the length limit.
 */
export function isHandleAt(s: string, start: number, end: number): boolean {
  if (end - start > HANDLE_MAX_LENGTH) return false
  let labelStart = start
  let labels = 0
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c === 46 /* . */) {
      if (!isLabelEnd(s, labelStart, i)) return false
      labels++
      labelStart = i + 1
    } else if (c >= 128 || (TABLE[c] & (i === labelStart ? ALNUM : LABEL)) === 0) {
      return false
    }
  }
  if (labels === 0 || !isLabelEnd(s, labelStart, end)) return false
  return (TABLE[s.charCodeAt(labelStart)] & ALPHA) !== 0 // the TLD starts with a letter
}

export function isValidHandle(s: string): s is Handle {
  return typeof s === 'string' && isHandleAt(s, 0, s.length)
}

export function ensureValidHandle(s: string): asserts s is Handle {
  if (!isValidHandle(s)) throw new InvalidSyntaxError('handle', String(s), handleProblem(String(s)))
}

export function normalizeHandle(h: string): string {
  return h.toLowerCase()
}

/** Lowercases then validates; the form to store and compare. */
export function normalizeAndEnsureValidHandle(h: string): Handle {
  const n = normalizeHandle(h)
  ensureValidHandle(n)
  return n
}

/** False when the handle ends in one of {@link DISALLOWED_TLDS} (compared case-insensitively). */
export function isValidTld(handle: string): boolean {
  const h = handle.toLowerCase()
  for (const tld of DISALLOWED_TLDS) if (h.endsWith(tld)) return false
  return true
}

function handleProblem(s: string): string {
  if (/[^a-zA-Z0-9.-]/.test(s)) return 'only ASCII letters, digits, hyphens and periods are allowed'
  if (s.length > HANDLE_MAX_LENGTH) return `longer than ${HANDLE_MAX_LENGTH} characters`
  const labels = s.split('.')
  if (labels.length < 2) return 'needs at least two labels'
  for (const l of labels) {
    if (l.length === 0) return 'labels can not be empty'
    if (l.length > 63) return 'labels are at most 63 characters'
    if (l.startsWith('-') || l.endsWith('-')) return 'labels can not start or end with a hyphen'
  }
  return 'the last label (TLD) must start with a letter'
}
