/** CIDs: string and binary forms, checked against multiformats. */
import { CID as MfCID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { toBase32 } from '../bytes/index.ts'
import { CID, CidError, cidForCbor, cidForRaw, DAG_CBOR, RAW, SHA256 } from './index.ts'
import { Random } from './test-util.ts'

const FIXTURE = 'bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a'

describe('CID', () => {
  it('matches multiformats for random digests (string, bytes, parse, decode)', () => {
    const r = new Random(42)
    for (let i = 0; i < 300; i++) {
      const code = r.pick([DAG_CBOR, RAW])
      const digest = r.bytes(32)
      const ours = CID.create(code, digest)
      const theirs = MfCID.createV1(code, Digest.create(0x12, digest))
      expect(ours.toString()).toBe(theirs.toString())
      expect(ours.bytes).toEqual(theirs.bytes)
      expect(CID.parse(theirs.toString()).bytes).toEqual(theirs.bytes)
      expect(CID.decode(theirs.bytes).toString()).toBe(theirs.toString())
      expect(ours.code).toBe(code)
      expect(ours.version).toBe(1)
      expect(ours.hashCode).toBe(SHA256)
      expect(ours.digest).toEqual(digest)
      expect(ours.equals(CID.parse(ours.toString()))).toBe(true)
    }
  })

  it('computes cidForCbor / cidForRaw like multiformats sha256', async () => {
    const r = new Random(7)
    for (let i = 0; i < 50; i++) {
      const bytes = r.bytes(r.int(2000))
      const digest = await sha256.digest(bytes)
      expect(cidForCbor(bytes).toString()).toBe(MfCID.createV1(0x71, digest).toString())
      expect(cidForRaw(bytes).toString()).toBe(MfCID.createV1(0x55, digest).toString())
    }
  })

  it('reads CIDv1 with other codecs and hashes, like multiformats', () => {
    const r = new Random(3)
    for (const [code, hash, len] of [
      [0x70, 0x12, 32],
      [0x0129, 0x13, 64],
      [0x71, 0xb220, 32],
    ]) {
      const theirs = MfCID.createV1(code, Digest.create(hash, r.bytes(len)))
      const ours = CID.decode(theirs.bytes)
      expect(ours.toString()).toBe(theirs.toString())
      expect(ours.code).toBe(code)
      expect(ours.hashCode).toBe(hash)
      expect(ours.digest).toEqual(theirs.multihash.digest)
      expect(CID.create(code, theirs.multihash.digest, hash).bytes).toEqual(theirs.bytes)
      expect(CID.parse(theirs.toString()).equals(ours)).toBe(true)
    }
  })

  it('rejects malformed strings', () => {
    const bad = [
      '',
      'b',
      FIXTURE.toUpperCase(),
      `z${FIXTURE.slice(1)}`,
      'QmQg1v4o9xdT3Q14wh4S7dxZkDjyZ9ssFzFzyep1YrVJBY', // CIDv0
      `${FIXTURE}a`, // one more character: bad length / padding bits
      FIXTURE.slice(0, -1),
      FIXTURE.replace('a', '1'),
      `b${toBase32(new Uint8Array([2, 0x71, 0x12, 0x20, ...new Uint8Array(32)]))}`, // version 2
    ]
    for (const s of bad) expect(() => CID.parse(s), s).toThrow(CidError)
    expect(() => CID.parse(123 as unknown as string)).toThrow(CidError)
  })

  it('rejects malformed bytes', () => {
    const good = CID.parse(FIXTURE).bytes
    const bad = [
      new Uint8Array(0),
      good.subarray(0, 35), // truncated digest
      new Uint8Array([...good, 0]), // extra byte
      new Uint8Array([0x12, 0x20, ...good.subarray(4)]), // CIDv0
      new Uint8Array([1, 0x71, 0x12, 0x14, ...good.subarray(4, 24)]), // sha-256 with a 20-byte digest
      new Uint8Array([1, 0xf1, 0x80, 0x00]), // non-minimal codec varint
      new Uint8Array([1, 0x71, 0x12]), // no digest length
    ]
    for (const b of bad) expect(() => CID.decode(b)).toThrow(CidError)
    expect(() => CID.create(0x71, new Uint8Array(31))).toThrow(CidError)
    expect(() => CID.create(-1, new Uint8Array(32))).toThrow(CidError)
    expect(() => CID.create(0x55, new Uint8Array(200), 0x13)).toThrow(CidError)
    expect(() => CID.decode('bafy' as unknown as Uint8Array)).toThrow(CidError)
  })

  it('asCID accepts ours and multiformats CIDs only', () => {
    const ours = CID.parse(FIXTURE)
    expect(CID.asCID(ours)).toBe(ours)
    expect(CID.asCID(MfCID.parse(FIXTURE))?.toString()).toBe(FIXTURE)
    for (const v of [null, FIXTURE, { bytes: ours.bytes }, { $link: FIXTURE }, ours.bytes])
      expect(CID.asCID(v)).toBeNull()
  })

  it('equals compares content, caches its string and serialises to {$link}', () => {
    const a = CID.parse(FIXTURE)
    const b = CID.decode(new Uint8Array(a.bytes))
    expect(a.equals(b)).toBe(true)
    expect(a.equals(cidForCbor(new Uint8Array(1)))).toBe(false)
    expect(a.equals(null)).toBe(false)
    expect(b.toString()).toBe(b.toString())
    expect(JSON.stringify({ x: a })).toBe(`{"x":{"$link":"${FIXTURE}"}}`)
    expect(String(a)).toBe(FIXTURE)
  })
})
