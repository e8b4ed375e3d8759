/** Parsers, helpers and error reporting beyond the plain validators (those are covered by the vector files). */
import * as official from '@atproto/syntax'
import { describe, expect, it } from 'vitest'
import {
  AtUri,
  InvalidSyntaxError,
  datetimeNow,
  ensureValidDid,
  ensureValidHandle,
  isValidAtUri,
  isValidDatetime,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidTld,
  isValidUri,
  makeNsid,
  normalizeAndEnsureValidHandle,
  parseDatetime,
  parseLanguage,
  parseNsid,
  toDatetimeString,
} from './index.ts'

describe('AtUri', () => {
  it('splits authority, collection and record key', () => {
    const u = AtUri.parse('at://did:plc:44ybard66vv44zksje25o7dz/app.bsky.feed.post/3jwdwj2ctlk26')
    expect([u.host, u.collection, u.rkey]).toEqual([
      'did:plc:44ybard66vv44zksje25o7dz',
      'app.bsky.feed.post',
      '3jwdwj2ctlk26',
    ])
    expect(u.did).toBe('did:plc:44ybard66vv44zksje25o7dz')
    expect(u.origin).toBe('at://did:plc:44ybard66vv44zksje25o7dz')
    const h = AtUri.parse('at://alice.example.com/app.bsky.feed.post')
    expect([h.host, h.collection, h.rkey]).toEqual(['alice.example.com', 'app.bsky.feed.post', undefined])
    expect(() => h.did).toThrow(InvalidSyntaxError)
    expect(AtUri.parse('at://did:web:localhost%3A1234').host).toBe('did:web:localhost%3A1234')
  })

  it('agrees with the official AtUri on the parts of valid URIs', () => {
    for (const s of [
      'at://did:plc:abc/com.example.thing/self',
      'at://bob.test/a.b.c',
      'at://did:key:zQ3sh',
      'at://x.test/a.b.c/:~.-_',
    ]) {
      const ours = AtUri.parse(s)
      const theirs = new official.AtUri(s)
      expect([ours.host, ours.collection ?? '', ours.rkey ?? '']).toEqual([theirs.host, theirs.collection, theirs.rkey])
    }
  })

  it('make validates every part and builds the string', () => {
    expect(AtUri.make('did:plc:abc', 'app.bsky.feed.like', '3jwdwj2ctlk26').toString()).toBe(
      'at://did:plc:abc/app.bsky.feed.like/3jwdwj2ctlk26',
    )
    expect(AtUri.make('bob.test').toString()).toBe('at://bob.test')
    expect(() => AtUri.make('bob')).toThrow(InvalidSyntaxError)
    expect(() => AtUri.make('bob.test', 'not-an-nsid')).toThrow(InvalidSyntaxError)
    expect(() => AtUri.make('bob.test', 'a.b.c', '..')).toThrow(InvalidSyntaxError)
    expect(() => AtUri.make('bob.test', undefined, 'self')).toThrow(InvalidSyntaxError)
  })

  it('rejects query, fragment and component limits', () => {
    expect(() => AtUri.parse('at://did:plc:abc/a.b.c/self#/text')).toThrow(/fragment/)
    expect(isValidAtUri('at://did:plc:abc?x=1')).toBe(false)
    expect(isValidAtUri(`at://${'a'.repeat(250)}.com`)).toBe(false) // handle > 253
    expect(isValidAtUri(`at://did:plc:${'a'.repeat(2040)}`)).toBe(true) // DID = 2048
    expect(isValidAtUri(`at://did:plc:${'a'.repeat(2041)}`)).toBe(false)
    expect(
      isValidAtUri(
        `at://bob.test/com.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(57)}`,
      ),
    ).toBe(true) // 317
    expect(
      isValidAtUri(
        `at://bob.test/com.${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(58)}`,
      ),
    ).toBe(false) // 318
  })
})

describe('NSID', () => {
  it('parses authority (domain order), name and segments', () => {
    expect(parseNsid('app.bsky.feed.post')).toEqual({
      authority: 'feed.bsky.app',
      name: 'post',
      segments: ['app', 'bsky', 'feed', 'post'],
    })
    expect(makeNsid('feed.bsky.app', 'post')).toBe('app.bsky.feed.post')
    expect(() => parseNsid('app.bsky')).toThrow(/at least three/)
    expect(() => makeNsid('example.com', '2fast')).toThrow(InvalidSyntaxError)
  })
})

describe('handle helpers', () => {
  it('normalizes to lowercase and flags disallowed TLDs', () => {
    expect(normalizeAndEnsureValidHandle('Alice.Example.COM')).toBe('alice.example.com')
    expect(isValidTld('alice.example.com')).toBe(true)
    for (const h of ['laptop.local', 'x.onion', 'a.LOCALHOST', 'b.internal', 'c.arpa', 'd.alt', 'e.example']) {
      expect(isValidHandle(h)).toBe(true) // valid syntax…
      expect(isValidTld(h)).toBe(false) // …but not registrable
    }
    expect(isValidTld('bob.test')).toBe(true)
  })
})

describe('datetime semantics', () => {
  it('requires the day to exist in that month (Gregorian leap years)', () => {
    expect(isValidDatetime('1984-02-29T00:00:00Z')).toBe(true)
    expect(isValidDatetime('2000-02-29T00:00:00Z')).toBe(true)
    expect(isValidDatetime('0000-02-29T00:00:00Z')).toBe(true) // year 0 is a leap year (1 BC)
    expect(isValidDatetime('1985-02-29T00:00:00Z')).toBe(false)
    expect(isValidDatetime('1900-02-29T00:00:00Z')).toBe(false)
    expect(isValidDatetime('1985-02-30T00:00:00Z')).toBe(false)
    expect(isValidDatetime('1985-04-31T00:00:00Z')).toBe(false)
    expect(isValidDatetime('1985-12-31T23:59:59Z')).toBe(true)
    expect(isValidDatetime('1985-12-31T23:59:60Z')).toBe(false)
    expect(isValidDatetime('1985-12-31T24:00:00Z')).toBe(false)
    expect(isValidDatetime('1985-12-31T12:00:00+24:00')).toBe(false)
  })

  it('keeps the UTC normalization within years 0000-9999', () => {
    expect(isValidDatetime('0000-01-01T00:00:00-01:00')).toBe(true)
    expect(isValidDatetime('0000-01-01T00:59:59+01:00')).toBe(false)
    expect(isValidDatetime('0000-01-01T01:00:00+01:00')).toBe(true)
    expect(isValidDatetime('9999-12-31T23:00:00+01:00')).toBe(true)
    expect(isValidDatetime('9999-12-31T23:00:00-01:00')).toBe(false)
    expect(isValidDatetime('9999-12-31T22:59:59.999-01:00')).toBe(true)
  })

  it('parseDatetime equals Date for random valid datetimes and round-trips through toDatetimeString', () => {
    let seed = 0xda7e
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    const p = (n: number, w = 2) => String(n).padStart(w, '0')
    for (let i = 0; i < 500; i++) {
      const frac = rnd(3) === 0 ? '' : `.${p(rnd(10 ** 6), 6).slice(0, 1 + rnd(6))}`
      const tz = rnd(2) ? 'Z' : `${rnd(2) ? '+' : '-'}${p(rnd(24))}:${p(rnd(60))}`
      const s = `${p(1 + rnd(9998), 4)}-${p(1 + rnd(12))}-${p(1 + rnd(28))}T${p(rnd(24))}:${p(rnd(60))}:${p(rnd(60))}${frac}${tz}`
      if (s.endsWith('-00:00')) continue
      expect(isValidDatetime(s)).toBe(true)
      expect(parseDatetime(s).getTime()).toBe(new Date(s).getTime())
      expect(toDatetimeString(parseDatetime(s))).toBe(new Date(s).toISOString())
    }
  })

  it('datetimeNow is a valid, current, millisecond-precision UTC datetime', () => {
    const now = datetimeNow()
    expect(now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(isValidDatetime(now)).toBe(true)
    expect(Math.abs(parseDatetime(now).getTime() - Date.now())).toBeLessThan(5000)
    expect(() => toDatetimeString(new Date(Date.UTC(10000, 0, 1)))).toThrow(InvalidSyntaxError)
  })
})

describe('language tags', () => {
  it('parses subtags', () => {
    expect(parseLanguage('zh-yue-Hant-HK-x-foo')).toEqual({
      language: 'zh',
      extlang: ['yue'],
      script: 'Hant',
      region: 'HK',
      variants: [],
      extensions: [],
      privateUse: 'x-foo',
    })
    expect(parseLanguage('de-CH-1901-rozaj-u-co-phonebk-t-en')).toMatchObject({
      language: 'de',
      region: 'CH',
      variants: ['1901', 'rozaj'],
      extensions: ['u-co-phonebk', 't-en'],
    })
    expect(parseLanguage('i-klingon')).toMatchObject({ grandfathered: 'i-klingon' })
    expect(parseLanguage('X-fr-CH')).toMatchObject({ privateUse: 'X-fr-CH' })
    expect(isValidLanguage('en-gb-oed')).toBe(true)
    expect(isValidLanguage('EN-GB-oed')).toBe(false)
    expect(isValidLanguage('i-bad-grandfathered')).toBe(false)
  })
})

describe('uri', () => {
  it('follows RFC 3986 schemes and the 8 KB limit', () => {
    expect(isValidUri('content-type:text/plain')).toBe(true)
    expect(isValidUri('a+b.c-d:x')).toBe(true)
    expect(isValidUri('1a:x')).toBe(false)
    expect(isValidUri('https://example.com/\u00fc')).toBe(true)
    expect(isValidUri('https://example.com/a\u0000b')).toBe(false)
    expect(isValidUri(`https://x/${'a'.repeat(8192 - 10)}`)).toBe(true)
    expect(isValidUri(`https://x/${'\u00fc'.repeat(4092)}`)).toBe(false) // 8 KB of UTF-8, fewer UTF-16 units
  })
})

describe('errors and hostile input', () => {
  it('ensureValid* throw InvalidSyntaxError with kind and reason, quoting at most a prefix', () => {
    try {
      ensureValidDid(`did:Plc:${'x'.repeat(5000)}`)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidSyntaxError)
      const err = e as InvalidSyntaxError
      expect(err.kind).toBe('did')
      expect(err.message.length).toBeLessThan(300)
      expect(err.reason).toMatch(/longer than 2048/)
    }
    expect(() => ensureValidHandle('jo_hn.test')).toThrow(/only ASCII letters/)
  })

  it('non-strings are invalid, never a crash', () => {
    for (const v of [undefined, null, 42, {}, ['did:plc:abc']] as unknown as string[]) {
      expect(isValidDid(v)).toBe(false)
      expect(isValidNsid(v)).toBe(false)
      expect(isValidAtUri(v)).toBe(false)
      expect(isValidDatetime(v)).toBe(false)
      expect(isValidLanguage(v)).toBe(false)
      expect(() => ensureValidDid(v)).toThrow(InvalidSyntaxError)
    }
  })

  it('megabyte inputs are rejected quickly (no catastrophic backtracking)', () => {
    const big = [
      'a.'.repeat(500_000),
      'did:a:' + ':'.repeat(1_000_000),
      `at://${'a.'.repeat(500_000)}`,
      'en-' + 'abcde-'.repeat(200_000),
    ]
    const start = performance.now()
    for (const s of big) {
      isValidHandle(s)
      isValidDid(s)
      isValidNsid(s)
      isValidAtUri(s)
      isValidLanguage(s)
      isValidUri(s)
    }
    expect(performance.now() - start).toBeLessThan(2000)
  })
})
