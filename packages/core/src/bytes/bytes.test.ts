import { base32 } from 'multiformats/bases/base32'
import { base58btc } from 'multiformats/bases/base58'
import { base64, base64url } from 'multiformats/bases/base64'
import { describe, expect, it } from 'vitest'
import { varint } from 'multiformats'
import {
  compare,
  concat,
  decodeVarint,
  encodeVarint,
  equals,
  fromBase32,
  fromBase58btc,
  fromBase64,
  fromBase64Url,
  fromHex,
  graphemeLength,
  sha256,
  toBase32,
  toBase58btc,
  toBase64,
  toBase64Url,
  toHex,
  utf8Length,
} from './index.ts'
import { sha256 as browserSha256 } from '../platform/browser/sha256.ts'
import { createHash } from 'node:crypto'

/** Seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function randomBytes(rand: () => number, max = 80): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * max))
  for (let i = 0; i < out.length; i++) out[i] = rand() < 0.1 ? 0 : Math.floor(rand() * 256)
  return out
}

describe('encodings match multiformats', () => {
  const rand = rng(42)
  const samples = Array.from({ length: 500 }, () => randomBytes(rand))

  it('base32, base58btc, base64, base64url round trip and agree', () => {
    for (const b of samples) {
      expect(toBase32(b)).toBe(base32.baseEncode(b))
      expect(fromBase32(toBase32(b))).toEqual(b)
      expect(toBase58btc(b)).toBe(base58btc.baseEncode(b))
      expect(fromBase58btc(toBase58btc(b))).toEqual(b)
      expect(toBase64(b)).toBe(base64.baseEncode(b))
      expect(fromBase64(toBase64(b))).toEqual(b)
      expect(toBase64Url(b)).toBe(base64url.baseEncode(b))
      expect(fromBase64Url(toBase64Url(b))).toEqual(b)
      expect(fromHex(toHex(b))).toEqual(b)
    }
  })

  it('base64 decoding accepts padding and rejects garbage', () => {
    expect(fromBase64('aGk=')).toEqual(new Uint8Array([104, 105]))
    expect(() => fromBase64('a$==')).toThrow()
    expect(() => fromBase64('a')).toThrow()
    expect(() => fromBase32('A')).toThrow()
    expect(() => fromBase58btc('0')).toThrow()
    expect(() => fromHex('abc')).toThrow()
  })
})

describe('varint', () => {
  it('matches multiformats and round trips', () => {
    const rand = rng(7)
    for (let i = 0; i < 1000; i++) {
      const n = Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 52)))
      const ours = encodeVarint(n)
      const theirs = new Uint8Array(varint.encodingLength(n))
      varint.encodeTo(n, theirs)
      expect(ours).toEqual(theirs)
      expect(decodeVarint(ours)).toEqual([n, ours.length])
    }
  })

  it('rejects truncated and non-minimal encodings', () => {
    expect(() => decodeVarint(new Uint8Array([0x80]))).toThrow()
    expect(() => decodeVarint(new Uint8Array([0x81, 0x00]))).toThrow(/non-minimal/)
    expect(() => encodeVarint(-1)).toThrow()
  })
})

describe('utf8 and graphemes', () => {
  it('counts UTF-8 bytes like TextEncoder', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a\ud800b', 'नमस्ते', '👩‍👩‍👧‍👧']) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length)
    }
  })

  it('counts extended grapheme clusters', () => {
    expect(graphemeLength('abc')).toBe(3)
    expect(graphemeLength('👩‍👩‍👧‍👧')).toBe(1)
    expect(graphemeLength('e\u0301')).toBe(1)
    expect(graphemeLength('\r\n')).toBe(1)
  })
})

describe('sha256 and utilities', () => {
  it('node and browser paths agree with node:crypto', () => {
    const rand = rng(3)
    for (let i = 0; i < 50; i++) {
      const b = randomBytes(rand, 500)
      const expected = new Uint8Array(createHash('sha256').update(b).digest())
      expect(sha256(b)).toEqual(expected)
      expect(browserSha256(b)).toEqual(expected)
    }
  })

  it('concat, equals, compare', () => {
    const a = new Uint8Array([1, 2])
    const b = new Uint8Array([1, 3])
    expect(concat([a, b])).toEqual(new Uint8Array([1, 2, 1, 3]))
    expect(equals(a, a.slice())).toBe(true)
    expect(equals(a, b)).toBe(false)
    expect(compare(a, b)).toBeLessThan(0)
    expect(compare(b, a)).toBeGreaterThan(0)
    expect(compare(a, new Uint8Array([1, 2, 0]))).toBeLessThan(0)
  })
})

describe('utf8Decode', () => {
  it('keeps a leading U+FEFF', async () => {
    const { utf8Decode, utf8Encode } = await import('./index.ts')
    expect(utf8Decode(utf8Encode('\ufeffx'))).toBe('\ufeffx')
    expect(() => utf8Decode(new Uint8Array([0xff]))).toThrow()
  })
})
