/** The JSON form and blob refs: $link, $bytes, blob objects (typed and legacy), strict and lenient reading. */
import { describe, expect, it } from 'vitest'
import {
  BlobRef,
  CID,
  decodeCbor,
  encodeCbor,
  isBlobRef,
  jsonToLex,
  lexEquals,
  lexParse,
  lexStringify,
  lexToJson,
  toBlobRef,
} from './index.ts'

const RAW_CID = 'bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity'
const CBOR_CID = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a'
const typedBlob = { $type: 'blob', ref: { $link: RAW_CID }, mimeType: 'image/jpeg', size: 10000 }

describe('jsonToLex / lexToJson', () => {
  it('converts $link and $bytes both ways; base64 out is unpadded, in may be padded', () => {
    const v = jsonToLex({ l: { $link: CBOR_CID }, b: { $bytes: 'AQID' }, p: { $bytes: 'AQ==' } }) as Record<
      string,
      unknown
    >
    expect(v.l).toBeInstanceOf(CID)
    expect((v.l as CID).toString()).toBe(CBOR_CID)
    expect(v.b).toEqual(new Uint8Array([1, 2, 3]))
    expect(v.p).toEqual(new Uint8Array([1]))
    expect(lexToJson(v as never)).toEqual({ l: { $link: CBOR_CID }, b: { $bytes: 'AQID' }, p: { $bytes: 'AQ' } })
  })

  it('reads blob objects as plain maps with a CID ref, the same value decodeCbor gives', () => {
    const v = jsonToLex({ img: typedBlob }, { strict: true })
    const fromCbor = decodeCbor(encodeCbor(v))
    expect(lexEquals(v, fromCbor)).toBe(true)
    expect(isBlobRef((v as Record<string, unknown>).img)).toBe(false)
    const ref = toBlobRef((v as Record<string, unknown>).img)
    expect(ref).toBeInstanceOf(BlobRef)
    expect(ref?.ref.toString()).toBe(RAW_CID)
    expect(lexToJson({ img: ref! })).toEqual({ img: typedBlob })
  })

  it('reads legacy blobs and writes them back unchanged', () => {
    const legacy = { cid: RAW_CID, mimeType: 'image/png' }
    const ref = toBlobRef(jsonToLex(legacy))!
    expect(ref.size).toBe(-1)
    expect(ref.original).toEqual(legacy)
    expect(ref.toJSON()).toEqual(legacy)
    expect(lexEquals(decodeCbor(encodeCbor({ a: ref })), { a: legacy })).toBe(true)
  })

  it('toBlobRef rejects malformed blob shapes', () => {
    const bad = [
      { ...typedBlob, size: '10000' },
      { ...typedBlob, size: -1 },
      { ...typedBlob, size: 1.5 },
      { ...typedBlob, mimeType: '' },
      { ...typedBlob, extra: 1 },
      { ...typedBlob, ref: { $link: CBOR_CID } }, // blobs are raw CIDs
      { ...typedBlob, ref: 'not a cid' },
      { $type: 'blob', mimeType: 'image/jpeg', size: 1 },
      { cid: 'nope', mimeType: 'image/png' },
      { cid: RAW_CID, mimeType: 'image/png', size: 1 },
      null,
      [typedBlob],
      'blob',
    ]
    for (const b of bad) expect(toBlobRef(b), JSON.stringify(b)).toBeNull()
    expect(toBlobRef(typedBlob)?.size).toBe(10000)
  })

  it('strict mode rejects what the data model forbids; lenient mode passes it through as plain values', () => {
    const bad = [
      { a: 1.5 },
      { a: 2 ** 60 },
      { l: { $link: 12 } },
      { l: { $link: 'bogus' } },
      { l: { $link: CBOR_CID, x: 1 } },
      { b: { $bytes: [1] } },
      { b: { $bytes: '!!' } },
      { b: { $bytes: 'AQID', x: 1 } },
      { r: { $type: null } },
      { r: { $type: 7 } },
      { r: { $type: '' } },
      { r: { ...typedBlob, size: 'x' } },
    ]
    for (const j of bad) {
      expect(() => jsonToLex(j, { strict: true }), JSON.stringify(j)).toThrow(TypeError)
      expect(lexToJson(jsonToLex(j)), JSON.stringify(j)).toEqual(j)
    }
  })

  it('drops undefined properties, keeps __proto__ as data and rejects non-JSON values', () => {
    expect(lexToJson({ a: 1, b: undefined as never })).toEqual({ a: 1 })
    const v = lexParse('{"__proto__": {"x": 1}}') as Record<string, unknown>
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
    expect(Object.keys(v)).toEqual(['__proto__'])
    expect(() => jsonToLex(() => 1)).toThrow(TypeError)
    expect(() => lexToJson(new Date() as never)).toThrow(TypeError)
  })

  it('lexStringify / lexParse round trip', () => {
    const v = { t: 'x', n: -5, l: CID.parse(CBOR_CID), b: new Uint8Array([255]), a: [null, true] }
    const text = lexStringify(v)
    expect(JSON.parse(text)).toEqual({ t: 'x', n: -5, l: { $link: CBOR_CID }, b: { $bytes: '/w' }, a: [null, true] })
    expect(lexEquals(lexParse(text), v)).toBe(true)
  })
})
