/** DAG-CBOR encoder rules and decoder strictness, on hand-made byte strings. */
import * as ipld from '@ipld/dag-cbor'
import { CID as MfCID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { equals, fromHex, toHex } from '../bytes/index.ts'
import {
  BlobRef,
  CID,
  CborError,
  cidForRaw,
  decodeCbor,
  decodeCborFirst,
  encodeBlock,
  encodeCbor,
  lexEquals,
  MAX_DEPTH,
} from './index.ts'

const hex = (v: unknown) => toHex(encodeCbor(v))
const rejects = (h: string, message?: RegExp) => {
  expect(() => decodeCbor(fromHex(h.replace(/\s+/g, '')))).toThrow(CborError)
  if (message) expect(() => decodeCbor(fromHex(h.replace(/\s+/g, '')))).toThrow(message)
}
/** From the data-model fixtures: CIDv1, dag-cbor, sha-256 (36 bytes). */
const cidHexFull = '0171122065062a5a5a00fc16d73c6944237ccbc15b1c4a7234489336891d091741a239d0'
/** Their encoder's bytes (a Buffer on Node) as hex, to compare with ours. */
const ipldHex = (v: unknown) => toHex(new Uint8Array(ipld.encode(v)))

describe('encodeCbor', () => {
  it('writes minimal integer heads at every boundary', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [255, '18ff'],
      [256, '190100'],
      [65535, '19ffff'],
      [65536, '1a00010000'],
      [2 ** 32 - 1, '1affffffff'],
      [2 ** 32, '1b0000000100000000'],
      [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [-1, '20'],
      [-24, '37'],
      [-25, '3818'],
      [-256, '38ff'],
      [-257, '390100'],
      [-(2 ** 32), '3affffffff'],
      [-(2 ** 32) - 1, '3b0000000100000000'],
      [Number.MIN_SAFE_INTEGER, '3b001ffffffffffffe'],
    ]
    for (const [n, h] of cases) {
      expect(hex(n)).toBe(h)
      expect(decodeCbor(fromHex(h))).toBe(n)
    }
    expect(hex(-0)).toBe('00')
  })

  it('sorts map keys length-first, then bytewise', () => {
    const v = { bb: 1, a: 2, '': 3, ab: 4, c: 5, aaa: 6 }
    const bytes = encodeCbor(v)
    expect(Object.keys(decodeCbor(bytes) as object)).toEqual(['', 'a', 'c', 'ab', 'bb', 'aaa'])
    expect(toHex(bytes)).toBe(ipldHex(v))
  })

  it('orders non-ASCII keys by UTF-8 bytes, not UTF-16 code units', () => {
    // Same UTF-8 length (5); UTF-16 puts the surrogate pair (D83D) first, UTF-8 puts EE before F0.
    const v = { '\u{1F600}a': 1, '\uE000ab': 2, é: 3, zz: 4 }
    const bytes = encodeCbor(v)
    expect(Object.keys(decodeCbor(bytes) as object)).toEqual(['zz', 'é', '\uE000ab', '\u{1F600}a'])
    expect(toHex(bytes)).toBe(ipldHex(v))
  })

  it('omits undefined map values but rejects undefined elsewhere', () => {
    expect(hex({ a: 1, b: undefined })).toBe(hex({ a: 1 }))
    expect(() => encodeCbor(undefined)).toThrow(CborError)
    expect(() => encodeCbor([1, undefined])).toThrow(CborError)
  })

  it('rejects floats, unsafe integers and non-data values', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53), 10n, Symbol('x'), () => 1]) {
      expect(() => encodeCbor({ a: bad })).toThrow(CborError)
    }
    for (const bad of [new Date(0), new Map(), new Set(), new Uint16Array(2), new ArrayBuffer(2), /x/]) {
      expect(() => encodeCbor({ a: bad })).toThrow(CborError)
    }
  })

  it('writes CIDs as tag 42 over 0x00 + binary CID, and accepts multiformats CIDs', () => {
    const cid = CID.decode(fromHex(cidHexFull))
    expect(hex(cid)).toBe(`d82a5825 00${cidHexFull}`.replace(/\s/g, ''))
    expect(hex({ l: MfCID.decode(cid.bytes) })).toBe(hex({ l: cid }))
  })

  it('encodes a BlobRef as its blob map, and a legacy one as the legacy map', () => {
    const ref = cidForRaw(new Uint8Array([1, 2, 3]))
    const blob = new BlobRef(ref, 'image/png', 3)
    expect(hex({ b: blob })).toBe(hex({ b: { $type: 'blob', ref, mimeType: 'image/png', size: 3 } }))
    const legacy = new BlobRef(ref, 'image/png', -1, { cid: ref.toString(), mimeType: 'image/png' })
    expect(hex(legacy)).toBe(hex({ cid: ref.toString(), mimeType: 'image/png' }))
  })

  it('writes lone surrogates as U+FFFD like TextEncoder, in short and long strings', () => {
    for (const s of ['a\uD800b', '\uDC00', `${'é'.repeat(40)}\uD83D${'x'.repeat(40)}`]) {
      const expected = new TextEncoder().encode(s)
      const bytes = encodeCbor(s)
      expect(bytes.subarray(bytes.length - expected.length)).toEqual(expected)
      expect(toHex(bytes)).toBe(ipldHex(s))
    }
  })

  it('sizes string headers right when UTF-8 length crosses a header boundary', () => {
    for (const n of [7, 8, 20, 23, 24, 85, 86, 255, 256, 21845, 21846, 65535, 65536]) {
      for (const s of ['a'.repeat(n), 'é'.repeat(n), '€'.repeat(n), `${'a'.repeat(n)}😀`]) {
        const bytes = encodeCbor(s)
        expect(toHex(bytes)).toBe(ipldHex(s))
        expect(decodeCbor(bytes)).toBe(s)
      }
    }
  })

  it('grows for large values and still encodes small ones afterwards', () => {
    const big = new Uint8Array(3 << 20).fill(7)
    const bytes = encodeCbor({ big, s: 'x'.repeat(100_000) })
    expect(equals((decodeCbor(bytes) as { big: Uint8Array }).big, big)).toBe(true)
    expect(hex({ a: 1 })).toBe('a1616101')
  })

  it('rejects cycles and nesting deeper than MAX_DEPTH', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => encodeCbor(cyclic)).toThrow(CborError)
    let ok: unknown = 1
    for (let i = 0; i < MAX_DEPTH; i++) ok = [ok]
    expect(decodeCbor(encodeCbor(ok))).toEqual(ok)
    expect(() => encodeCbor([ok])).toThrow(CborError)
  })

  it('survives re-entry from a getter', () => {
    const inner = { z: 'inner' }
    const v = {
      get a() {
        return toHex(encodeCbor(inner))
      },
      b: 'x'.repeat(50),
    }
    expect(decodeCbor(encodeCbor(v))).toEqual({ a: toHex(encodeCbor(inner)), b: 'x'.repeat(50) })
  })

  it('keeps "__proto__" as an ordinary key both ways', () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}, "a": 2}')
    const out = decodeCbor(encodeCbor(v)) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out)).toEqual(['a', '__proto__'])
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: 1 })
  })

  it('encodeBlock pairs the bytes with their dag-cbor CID', async () => {
    const { cid, bytes } = encodeBlock({ a: 1 })
    expect(bytes).toEqual(encodeCbor({ a: 1 }))
    expect(cid.toString()).toBe(MfCID.create(1, 0x71, await sha256.digest(bytes)).toString())
  })
})

describe('decodeCbor strictness', () => {
  it('rejects non-canonical key order and duplicate keys', () => {
    rejects('a2 6162 01 6161 02', /canonical order/) // {"b","a"}
    rejects('a2 626161 01 6162 02', /canonical order/) // {"aa","b"}: bytewise but not length-first
    rejects('a2 6161 01 6161 02', /duplicate/)
    expect(decodeCbor(fromHex('a2616101616202'))).toEqual({ a: 1, b: 2 })
  })

  it('rejects indefinite lengths', () => {
    for (const h of ['9f01ff', 'bf616101ff', '5f4101ff', '7f6161ff']) rejects(h, /indefinite/)
  })

  it('rejects non-minimal integers and lengths', () => {
    for (const h of [
      '1817',
      '1900ff',
      '1a0000ffff',
      '1b00000000ffffffff',
      '3800',
      '780161',
      '590001ff',
      '9801 01',
      'b801 616101',
    ]) {
      rejects(h, /non-minimal/)
    }
  })

  it('rejects integers outside the safe range and accepts the edges', () => {
    rejects('1b0020000000000000', /safe range/)
    rejects('3b001fffffffffffff', /safe range/)
    rejects('1bffffffffffffffff', /safe range/)
    expect(decodeCbor(fromHex('1b001fffffffffffff'))).toBe(Number.MAX_SAFE_INTEGER)
    expect(decodeCbor(fromHex('3b001ffffffffffffe'))).toBe(Number.MIN_SAFE_INTEGER)
  })

  it('rejects floats, undefined and other simple values', () => {
    for (const h of ['f93c00', 'f97e00', 'fa3f800000', 'fb3ff0000000000000']) rejects(h, /float/)
    rejects('f7', /undefined/)
    for (const h of ['f0', 'f820', 'ff']) rejects(h)
    expect(decodeCbor(fromHex('83f4f5f6'))).toEqual([false, true, null])
  })

  it('rejects tags other than 42 and a non-minimal tag 42', () => {
    rejects('c074323031332d30332d32315432303a30343a30305a', /tag 0/)
    rejects(`d82b5825 00${cidHexFull}`, /tag 43/)
    rejects(`d9002a5825 00${cidHexFull}`, /non-minimal/)
  })

  it('rejects a CID without the 0x00 prefix or with malformed CID bytes', () => {
    rejects(`d82a5824 ${cidHexFull}`, /0x00/)
    rejects('d82a40', /0x00/)
    rejects('d82a4100', /CID/)
    rejects(`d82a6500 01710000`) // tag 42 over a text string
    rejects(`d82a5823 00${cidHexFull.slice(0, -4)}`, /CID/) // digest shorter than declared
    rejects('d82a5823 00122020' + '00'.repeat(32), /CIDv0|CID/) // CIDv0 inside
    expect((decodeCbor(fromHex(`d82a5825 00${cidHexFull}`.replace(/\s/g, ''))) as CID).bytes).toEqual(
      fromHex(cidHexFull),
    )
  })

  it('rejects trailing bytes, but decodeCborFirst returns them', () => {
    rejects('0101', /trailing/)
    const [value, rest] = decodeCborFirst(fromHex('a1616101 02'.replace(/\s/g, '')))
    expect(value).toEqual({ a: 1 })
    expect(rest).toEqual(new Uint8Array([2]))
  })

  it('rejects nesting deeper than MAX_DEPTH without overflowing the stack', () => {
    expect(() => decodeCbor(fromHex(`${'81'.repeat(MAX_DEPTH)}01`))).not.toThrow()
    rejects(`${'81'.repeat(MAX_DEPTH + 1)}01`, /nesting/)
    rejects(`${'a16161'.repeat(MAX_DEPTH + 1)}01`, /nesting/)
    expect(() => decodeCbor(new Uint8Array(1_000_000).fill(0x81))).toThrow(/nesting/)
  })

  it('rejects huge declared lengths before allocating', () => {
    for (const h of ['5b001fffffffffffff', '7b001fffffffffffff', '9b001fffffffffffff', 'bb001fffffffffffff']) {
      rejects(h, /end of input/)
    }
    rejects('9a7fffffff 01', /end of input/)
    rejects('ba7fffffff 616101', /end of input/)
    rejects('5bffffffffffffffff', /safe range/)
  })

  it('rejects truncated input', () => {
    for (const h of [
      '',
      '62 61',
      '82 01',
      'a1 6161',
      '19 01',
      '1b 00000001',
      `d82a5825 00${cidHexFull.slice(0, 20)}`,
    ]) {
      rejects(h)
    }
  })

  it('rejects invalid UTF-8 in short, medium and long strings and in keys', () => {
    const bad = ['c328', 'c080', 'eda080', 'f4908080', 'e2', 'ff', 'f08f8080', 'e08080']
    for (const b of bad) {
      for (const pad of [0, 20, 70]) {
        const body = 'aa'.repeat(pad) + b
        const len = body.length / 2
        const head = len < 24 ? (0x60 + len).toString(16) : `78${len.toString(16).padStart(2, '0')}`
        rejects(head + body, /UTF-8/)
        rejects(`a1${head}${body}01`, /UTF-8/)
      }
    }
    expect(decodeCbor(encodeCbor('ok é 😀 ☎'))).toBe('ok é 😀 ☎')
  })

  it('keeps a leading byte order mark (U+FEFF) in short and long strings', () => {
    for (const s of ['\uFEFF', '\uFEFFé', `\uFEFF${'é'.repeat(40)}`, `\uFEFF${'x'.repeat(100)}`]) {
      expect(decodeCbor(encodeCbor(s))).toBe(s)
      expect(decodeCbor(encodeCbor({ [s]: 1 }))).toEqual({ [s]: 1 })
    }
  })

  it('rejects non-string map keys and reserved additional info', () => {
    rejects('a10102', /text strings/)
    rejects('a1410102', /text strings/)
    for (const h of ['1c', '3d', '5e', '7c', '9d', 'be', 'dc', 'fc']) rejects(h)
  })

  it('returns byte strings and CIDs as views and equal values', () => {
    const input = encodeCbor({ b: new Uint8Array([1, 2, 3]), c: cidForRaw(new Uint8Array(0)) })
    const out = decodeCbor(input) as { b: Uint8Array; c: CID }
    expect(out.b).toEqual(new Uint8Array([1, 2, 3]))
    expect(out.b.buffer).toBe(input.buffer)
    expect(lexEquals(out.c, cidForRaw(new Uint8Array(0)))).toBe(true)
  })
})
