/** Every case of the official interop vectors (test-vectors/syntax/*.txt), valid and invalid. */
import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  AtUri,
  InvalidSyntaxError,
  ensureValidAtIdentifier,
  ensureValidAtUri,
  ensureValidCidString,
  ensureValidDatetime,
  ensureValidDid,
  ensureValidHandle,
  ensureValidLanguage,
  ensureValidNsid,
  ensureValidRecordKey,
  ensureValidTid,
  ensureValidUri,
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
  parseDatetime,
  parseLanguage,
  parseNsid,
} from './index.ts'

const DIR = new URL('../../../../test-vectors/syntax/', import.meta.url)

/** Lines are whitespace-sensitive: never trimmed. Empty lines and `#` comments are skipped. */
function readVectors(file: string): string[] {
  const lines = readFileSync(new URL(file, DIR), 'utf8').split('\n')
  return lines.filter((l) => l !== '' && !l.startsWith('#'))
}

type Check = [isValid: (s: string) => boolean, ensureValid: (s: string) => void]
const CHECKS: Record<string, Check> = {
  atidentifier: [isValidAtIdentifier, ensureValidAtIdentifier],
  aturi: [isValidAtUri, ensureValidAtUri],
  cid: [isValidCidString, ensureValidCidString],
  datetime: [isValidDatetime, ensureValidDatetime],
  did: [isValidDid, ensureValidDid],
  handle: [isValidHandle, ensureValidHandle],
  language: [isValidLanguage, ensureValidLanguage],
  nsid: [isValidNsid, ensureValidNsid],
  recordkey: [isValidRecordKey, ensureValidRecordKey],
  tid: [isValidTid, ensureValidTid],
  uri: [isValidUri, ensureValidUri],
}

describe('interop vector files', () => {
  it('are all covered by this test', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'))
    const covered = new Set([
      ...Object.keys(CHECKS).flatMap((k) => [`${k}_syntax_valid.txt`, `${k}_syntax_invalid.txt`]),
      'datetime_parse_invalid.txt',
      'language_parse_invalid.txt',
    ])
    expect(files.filter((f) => !covered.has(f))).toEqual([])
    expect(files.length).toBe(covered.size)
  })
})

for (const [kind, [isValid, ensureValid]] of Object.entries(CHECKS)) {
  describe(kind, () => {
    const valid = readVectors(`${kind}_syntax_valid.txt`)
    const invalid = readVectors(`${kind}_syntax_invalid.txt`)
    it('has vectors', () => {
      expect(valid.length).toBeGreaterThan(0)
      expect(invalid.length).toBeGreaterThan(0)
    })
    it.each(valid.map((v) => [JSON.stringify(v).slice(0, 100), v]))('valid %s', (_, v) => {
      expect(isValid(v)).toBe(true)
      expect(() => ensureValid(v)).not.toThrow()
    })
    it.each(invalid.map((v) => [JSON.stringify(v).slice(0, 100), v]))('invalid %s', (_, v) => {
      expect(isValid(v)).toBe(false)
      expect(() => ensureValid(v)).toThrow(InvalidSyntaxError)
    })
  })
}

describe('parsers accept every valid vector', () => {
  it('AtUri.parse round-trips and its parts validate', () => {
    for (const v of readVectors('aturi_syntax_valid.txt')) {
      const uri = AtUri.parse(v)
      expect(uri.toString()).toBe(v)
      expect(AtUri.make(uri.host, uri.collection, uri.rkey).toString()).toBe(v)
      expect(v.startsWith(`at://${uri.host}`)).toBe(true)
    }
  })
  it('parseNsid splits every valid NSID', () => {
    for (const v of readVectors('nsid_syntax_valid.txt')) {
      const p = parseNsid(v)
      expect(p.segments.join('.')).toBe(v)
      expect(`${p.authority.split('.').reverse().join('.')}.${p.name}`).toBe(v)
    }
  })
  it('parseDatetime agrees with Date for every valid datetime', () => {
    for (const v of readVectors('datetime_syntax_valid.txt')) {
      expect(parseDatetime(v).getTime()).toBe(new Date(v).getTime())
    }
  })
  it('parseLanguage accepts every valid language tag', () => {
    for (const v of readVectors('language_syntax_valid.txt')) expect(() => parseLanguage(v)).not.toThrow()
  })
})

describe('datetime_parse_invalid: right shape, impossible date', () => {
  const cases = readVectors('datetime_parse_invalid.txt')
  it.each(cases)('%s', (v) => {
    expect(isValidDatetime(v)).toBe(false)
    expect(() => parseDatetime(v)).toThrow(InvalidSyntaxError)
  })
})

describe('language_parse_invalid: well-formed (valid for Lexicon) but repeats a variant or singleton', () => {
  const cases = readVectors('language_parse_invalid.txt')
  it.each(cases)('%s', (v) => {
    expect(isValidLanguage(v)).toBe(true)
    expect(() => parseLanguage(v)).toThrow(InvalidSyntaxError)
  })
})
