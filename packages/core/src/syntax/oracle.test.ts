/**
 * Randomized oracle tests: seeded mutations of valid identifiers (inserted, deleted and replaced characters from an
 * alphabet of interesting characters, lengths at the limits) must get the same verdict from us and from the
 * official `@atproto/syntax`. Where the official package disagrees with the spec or the interop vectors, the case
 * is excluded by a named rule below, and only when the disagreement goes the documented way.
 */
import { readFileSync } from 'node:fs'
import * as official from '@atproto/syntax'
import { describe, expect, it } from 'vitest'
import {
  isValidAtIdentifier,
  isValidAtUri,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
} from './index.ts'

const CASES_PER_KIND = 3000

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function readVectors(file: string): string[] {
  const url = new URL(`../../../../test-vectors/syntax/${file}`, import.meta.url)
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
}

const vectors = (kind: string) => [
  ...readVectors(`${kind}_syntax_valid.txt`),
  ...readVectors(`${kind}_syntax_invalid.txt`),
]

class Gen {
  readonly rand: () => number
  constructor(seed: number) {
    this.rand = mulberry32(seed)
  }
  int(n: number): number {
    return Math.floor(this.rand() * n)
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]
  }
  /** 0-3 random edits: insert, delete or replace a character from `alphabet`, or duplicate/truncate a chunk. */
  mutate(s: string, alphabet: string): string {
    const edits = this.int(4)
    for (let k = 0; k < edits; k++) {
      const i = this.int(s.length + 1)
      const c = alphabet[this.int(alphabet.length)]
      switch (this.int(5)) {
        case 0:
          s = s.slice(0, i) + c + s.slice(i)
          break
        case 1:
          s = s.slice(0, i) + s.slice(i + 1)
          break
        case 2:
          s = s.slice(0, i) + c + s.slice(i + 1)
          break
        case 3:
          s = s.slice(0, i) + s.slice(Math.max(0, i - 1 - this.int(8)), i) + s.slice(i)
          break
        default:
          if (this.int(4) === 0) s = s.slice(0, i)
      }
    }
    return s
  }
}

const a = (n: number, c = 'a') => c.repeat(Math.max(0, n))

/** Strings right at, below and above each length limit. */
const LIMITS: Record<string, string[]> = {
  did: [2046, 2047, 2048, 2049].map((n) => `did:plc:${a(n - 8)}`),
  handle: [
    ...[62, 63, 64].map((n) => `${a(n)}.test`),
    ...[252, 253, 254].map((n) => `${a(63)}.${a(63)}.${a(63)}.${a(n - 3 * 64 - 4)}.com`),
  ],
  nsid: [
    ...[63, 64].map((n) => `com.${a(n)}.foo`),
    ...[63, 64].map((n) => `com.example.${a(n, 'B')}`),
    ...[316, 317, 318].map((n) => `com.${a(62)}.${a(62)}.${a(62)}.${a(62)}.${a(n - 4 - 4 * 63 - 3)}.foo`),
  ],
  recordkey: [1, 2, 3, 511, 512, 513].map((n) => a(n, '.')).concat([511, 512, 513].map((n) => a(n, 'k'))),
  aturi: [511, 512, 513].map((n) => `at://did:plc:asdf123/com.atproto.feed.post/${a(n, 'o')}`),
  tid: ['2222222222222', 'jzzzzzzzzzzzz', 'kzzzzzzzzzzzz', '3jzfcijpj2z2'],
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(m) ? 30 : 31
}

function randomDatetime(g: Gen): string {
  const p2 = (n: number) => String(n).padStart(2, '0')
  const year = g.pick(['0000', '0001', '1900', '1985', '2000', '2023', '2024', '9999'])
  const date = `${year}-${p2(g.int(14))}-${p2(g.int(33))}`
  const time = `${p2(g.int(26))}:${p2(g.int(61))}:${p2(g.int(62))}`
  const frac = g.int(3) === 0 ? '' : `.${Array.from({ length: 1 + g.int(45) }, () => g.int(10)).join('')}`
  const tz = g.pick(['Z', 'Z', '+00:00', '-00:00', '+23:59', '-23:59', '-07:00', '+01:45', '+24:00', '+01:60', 'z', ''])
  return `${date}T${time}${frac}${tz}`
}

function randomLanguage(g: Gen): string {
  const parts = [g.pick(['en', 'zh', 'ja', 'JA', 'jaja', 'abcde', 'i', 'x', 'X', 'sgn', 'qaa', 'Zh'])]
  if (g.int(4) === 0) parts.push(g.pick(['yue', 'min', 'nan']))
  if (g.int(3) === 0) parts.push(g.pick(['Hant', 'latn', 'CYRL']))
  if (g.int(2) === 0) parts.push(g.pick(['US', '419', 'gb', 'BE', 'NL']))
  for (let n = g.int(3); n > 0; n--) parts.push(g.pick(['1901', 'rozaj', 'ROZAJ', 'boont', 'default', 'oed']))
  for (let n = g.int(3); n > 0; n--) parts.push(g.pick(['u-co-phonebk', 'U-ca-buddhist', 'a-foo', 't-en-US', 'i-bar']))
  if (g.int(3) === 0) parts.push(g.pick(['x-private', 'X-foo', 'x-a-bcdefghi']))
  return parts.join('-')
}

// --- documented disagreements with @atproto/syntax -------------------------------------------------------------

/** Official datetime validation parses with JS Date, which rolls 1985-02-30 over to March 2; a real date is required. */
function impossibleDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return mo >= 1 && mo <= 12 && d > daysInMonth(y, mo)
}

/** RFC 5646 irregular grandfathered tags in their registered case, the only case the official regex accepts. */
const IRREGULAR = [
  'en-GB-oed',
  'i-ami',
  'i-bnn',
  'i-default',
  'i-enochian',
  'i-hak',
  'i-klingon',
  'i-lux',
  'i-mingo',
].concat(['i-navajo', 'i-pwn', 'i-tao', 'i-tay', 'i-tsu', 'sgn-BE-FR', 'sgn-BE-NL', 'sgn-CH-DE'])

/**
 * Differences in language tags: returns the rule that explains `ours !== theirs`, or null. Each rule checks that
 * the disagreement goes the documented way and disappears once the documented difference is undone.
 */
function languageRule(s: string, ours: boolean): string | null {
  const first = s.split('-')[0]
  if (!ours && /^[a-zA-Z]{4}$/.test(first)) return 'vectors: 4-letter primary subtag rejected (jaja)'
  if (!ours && first !== 'X' && first !== first.toLowerCase()) {
    // Lowercasing the primary subtag must make us agree with the official (case-insensitive) verdict.
    const fixed = first.toLowerCase() + s.slice(first.length)
    if (isValidLanguage(fixed)) return 'vectors: primary subtag must be lowercase (JA)'
  }
  if (ours && /(^|-)X-/.test(s) && official.isValidLanguage(s.replace(/(^|-)X-/g, '$1x-'))) {
    return 'vectors + RFC 5646 §2.1.1: private-use singleton is case-insensitive (X-fr-CH)'
  }
  if (ours && IRREGULAR.some((r) => r !== s && r.toLowerCase() === s.toLowerCase())) {
    return 'RFC 5646 §2.1.1: grandfathered tags are case-insensitive (en-gb-oed)'
  }
  return null
}

interface Kind {
  ours: (s: string) => boolean
  theirs: (s: string) => boolean
  seeds: string[]
  alphabet: string
  /** Extra random inputs beyond mutations of the seeds. */
  fresh?: (g: Gen) => string
  /** Names the documented reason when ours and theirs may disagree on `s`; null when they must agree. */
  rule?: (s: string, ours: boolean) => string | null
}

const KINDS: Record<string, Kind> = {
  did: {
    ours: isValidDid,
    theirs: official.isValidDid,
    seeds: [...vectors('did'), ...LIMITS.did],
    alphabet: 'aAzZ09:._%-/#?@ \u00e9',
  },
  handle: {
    ours: isValidHandle,
    theirs: official.isValidHandle,
    seeds: [...vectors('handle'), ...LIMITS.handle],
    alphabet: 'aZ09.-_: \u00fc',
  },
  nsid: {
    ours: isValidNsid,
    theirs: official.isValidNsid,
    seeds: [...vectors('nsid'), ...LIMITS.nsid],
    alphabet: 'aZ09.-_*#',
  },
  'at-identifier': {
    ours: isValidAtIdentifier,
    theirs: official.isValidAtIdentifier,
    seeds: vectors('atidentifier'),
    alphabet: 'aZ09.-_:%@ ',
  },
  'at-uri': {
    ours: isValidAtUri,
    theirs: (s) => official.isAtUriString(s),
    seeds: [...vectors('aturi'), ...LIMITS.aturi, 'at://did:plc:asdf123/app.bsky.feed.post/3jzfcijpj2z2a#/text'],
    alphabet: 'aZ09:./#?%-_~@ ',
    // The spec's restricted Lexicon syntax has no fragment; the official parser accepts a JSON-pointer fragment.
    rule: (s, ours) => (!ours && s.includes('#') ? 'spec: no fragment in Lexicon at-uri' : null),
  },
  'record-key': {
    ours: isValidRecordKey,
    theirs: official.isValidRecordKey,
    seeds: [...vectors('recordkey'), ...LIMITS.recordkey],
    alphabet: 'aZ09._:~-/#@+% ',
  },
  tid: {
    ours: isValidTid,
    theirs: official.isValidTid,
    seeds: [...vectors('tid'), ...LIMITS.tid],
    alphabet: '234567abcdefghijklmnopqrstuvwxyz018ABZ-',
  },
  datetime: {
    ours: isValidDatetime,
    theirs: official.isValidDatetime,
    seeds: [...vectors('datetime'), ...readVectors('datetime_parse_invalid.txt')],
    alphabet: '0123456789-:TZ+.tz ',
    fresh: randomDatetime,
    rule: (s, ours) => (!ours && impossibleDay(s) ? 'spec: day must exist in the month (JS Date rolls over)' : null),
  },
  language: {
    ours: isValidLanguage,
    theirs: official.isValidLanguage,
    seeds: [...vectors('language'), ...readVectors('language_parse_invalid.txt'), 'en-gb-oed', 'I-navajo', 'sgn-be-nl'],
    alphabet: 'aZxXi09-',
    fresh: randomLanguage,
    rule: languageRule,
  },
}

describe('oracle: same verdict as @atproto/syntax', () => {
  let seed = 0x5eed
  for (const [name, kind] of Object.entries(KINDS)) {
    it(`${name} (seed ${seed})`, () => {
      const g = new Gen(seed)
      const counts = { valid: 0, invalid: 0, excluded: 0 }
      const mismatches: { input: string; ours: boolean; theirs: boolean }[] = []
      for (let n = 0; n < CASES_PER_KIND; n++) {
        const base = kind.fresh && g.int(2) === 0 ? kind.fresh(g) : g.pick(kind.seeds)
        const input = g.mutate(base, kind.alphabet)
        const ours = kind.ours(input)
        const theirs = kind.theirs(input)
        counts[ours ? 'valid' : 'invalid']++
        if (ours === theirs) continue
        if (kind.rule?.(input, ours)) counts.excluded++
        else mismatches.push({ input: input.slice(0, 120), ours, theirs })
      }
      expect(mismatches).toEqual([])
      // The corpus must exercise both verdicts, or the comparison proves little.
      expect(counts.valid).toBeGreaterThan(CASES_PER_KIND / 10)
      expect(counts.invalid).toBeGreaterThan(CASES_PER_KIND / 10)
      expect(counts.excluded).toBeLessThan(CASES_PER_KIND / 4)
    })
    seed += 1
  }
})
