/**
 * Lexicon `language` strings (atproto.com/specs/lexicon#language): BCP 47 language tags, well-formed per
 * RFC 5646 §2.1. Two atproto rules from the interop vectors are stricter than the RFC's case-insensitive grammar:
 * the primary language subtag must be lowercase (`JA` is rejected) and may not be the reserved 4-letter form
 * (`jaja`). Everything else is case-insensitive, including the private-use `x`/`X` singleton.
 * {@link isValidLanguage} checks well-formedness only, which is what Lexicon requires. {@link parseLanguage}
 * additionally rejects tags that are well-formed but not "valid" (RFC 5646 §2.2.9, §4.1): a repeated variant or a
 * repeated extension singleton. Neither checks subtags against the IANA registry.
 */
import { InvalidSyntaxError } from './errors.ts'

const LANGUAGE = '(?:[a-z]{2,3}(?:-[a-zA-Z]{3}){0,3}|[a-z]{5,8})'
const SCRIPT = '(?:-[a-zA-Z]{4})?'
const REGION = '(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?'
const VARIANTS = '(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*'
const EXTENSIONS = '(?:-[0-9a-wyzA-WYZ](?:-[a-zA-Z0-9]{2,8})+)*'
const PRIVATE_USE = '[xX](?:-[a-zA-Z0-9]{1,8})+'
const LANG_RE = new RegExp(
  `^(?:${LANGUAGE}${SCRIPT}${REGION}${VARIANTS}${EXTENSIONS}(?:-${PRIVATE_USE})?|${PRIVATE_USE})$`,
)

/**
 * RFC 5646 "irregular" grandfathered tags, which the grammar above cannot produce (the "regular" ones, such as
 * zh-hakka, already match it). Stored lowercase; matched case-insensitively after the first subtag.
 */
const IRREGULAR = new Set([
  'en-gb-oed',
  'i-ami',
  'i-bnn',
  'i-default',
  'i-enochian',
  'i-hak',
  'i-klingon',
  'i-lux',
  'i-mingo',
  'i-navajo',
  'i-pwn',
  'i-tao',
  'i-tay',
  'i-tsu',
  'sgn-be-fr',
  'sgn-be-nl',
  'sgn-ch-de',
])

function isIrregular(s: string): boolean {
  if (s.length > 11) return false
  if (IRREGULAR.has(s)) return true
  const dash = s.indexOf('-')
  for (let i = 0; i < dash; i++) {
    const c = s.charCodeAt(i)
    if (c < 97 || c > 122) return false // the first subtag must already be lowercase
  }
  return IRREGULAR.has(s.toLowerCase())
}

export function isValidLanguage(s: string): boolean {
  return typeof s === 'string' && (LANG_RE.test(s) || isIrregular(s))
}

export function ensureValidLanguage(s: string): void {
  if (!isValidLanguage(s)) {
    throw new InvalidSyntaxError('language', String(s), 'not a well-formed BCP 47 tag with a lowercase language')
  }
}

export interface LanguageTag {
  /** Set (to the whole tag) only for irregular grandfathered tags such as `i-klingon`; other fields are then empty. */
  grandfathered?: string
  language?: string
  /** Extended language subtags, e.g. `['yue']` in `zh-yue`. */
  extlang: string[]
  script?: string
  region?: string
  variants: string[]
  /** Each extension with its singleton, e.g. `u-co-phonebk`. */
  extensions: string[]
  /** `x-…` including the singleton, e.g. `x-private`. */
  privateUse?: string
}

const ALPHA = /^[a-zA-Z]+$/
const DIGITS = /^[0-9]+$/

/** Splits a well-formed, valid tag into its subtags. Throws for ill-formed tags and for repeated variants/singletons. */
export function parseLanguage(s: string): LanguageTag {
  ensureValidLanguage(s)
  const tag: LanguageTag = { extlang: [], variants: [], extensions: [] }
  if (!LANG_RE.test(s)) return { ...tag, grandfathered: s }
  const parts = s.split('-')
  let i = 0
  if (parts[0].length > 1) {
    tag.language = parts[i++]
    while (i < parts.length && parts[i].length === 3 && ALPHA.test(parts[i])) tag.extlang.push(parts[i++])
    if (i < parts.length && parts[i].length === 4 && ALPHA.test(parts[i])) tag.script = parts[i++]
    const p = parts[i] ?? ''
    if ((p.length === 2 && ALPHA.test(p)) || (p.length === 3 && DIGITS.test(p))) tag.region = parts[i++]
    while (i < parts.length && (parts[i].length >= 5 || (parts[i].length === 4 && DIGITS.test(parts[i][0])))) {
      tag.variants.push(parts[i++])
    }
    while (i < parts.length && parts[i].length === 1 && parts[i].toLowerCase() !== 'x') {
      let end = i + 1
      while (end < parts.length && parts[end].length > 1) end++
      tag.extensions.push(parts.slice(i, end).join('-'))
      i = end
    }
  }
  if (i < parts.length) tag.privateUse = parts.slice(i).join('-')
  ensureNoRepeats(s, tag)
  return tag
}

function ensureNoRepeats(s: string, tag: LanguageTag): void {
  const seen = new Set<string>()
  for (const v of tag.variants) {
    const k = v.toLowerCase()
    if (seen.has(k)) throw new InvalidSyntaxError('language', s, `variant subtag "${v}" is repeated`)
    seen.add(k)
  }
  seen.clear()
  for (const e of tag.extensions) {
    const k = e[0].toLowerCase()
    if (seen.has(k)) throw new InvalidSyntaxError('language', s, `extension singleton "${e[0]}" is repeated`)
    seen.add(k)
  }
}
