/**
 * Randomized oracle tests: random records encoded by us are byte-identical to @ipld/dag-cbor's and
 * @atcute/cbor's encodings, decode identically with theirs, produce the same CIDs as multiformats, and
 * take the same JSON form as @atproto/lexicon's lexToJson/jsonToLex. Seeded; failures print the seed.
 */
import * as atcute from '@atcute/cbor'
import * as atprotoLex from '@atproto/lexicon'
import * as ipld from '@ipld/dag-cbor'
import { CID as MfCID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes/index.ts'
import {
  BlobRef,
  CID,
  cidForCbor,
  decodeCbor,
  encodeCbor,
  jsonToLex,
  lexEquals,
  lexToJson,
  type LexValue,
} from './index.ts'
import { Random, randomValue } from './test-util.ts'

const RECORDS = 400

/** Rebuilds a value bottom-up, replacing leaves the mapper recognises. */
function mapValue(v: unknown, leaf: (x: object) => unknown | undefined): unknown {
  if (v === null || typeof v !== 'object') return v
  const mapped = leaf(v)
  if (mapped !== undefined) return mapped
  if (Array.isArray(v)) return v.map((x) => mapValue(x, leaf))
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[k] = mapValue(x, leaf)
  return out
}

const blobMap = (b: BlobRef) => ({ $type: 'blob', ref: b.ref, mimeType: b.mimeType, size: b.size })
const toIpld = (v: LexValue): unknown =>
  mapValue(v, (x): unknown => {
    if (x instanceof CID) return MfCID.decode(x.bytes)
    if (x instanceof Uint8Array) return x
    if (x instanceof BlobRef) return toIpld(blobMap(x) as LexValue)
  })
const toAtcute = (v: LexValue): unknown =>
  mapValue(v, (x): unknown => {
    if (x instanceof CID) return new atcute.CidLinkWrapper(x.bytes)
    if (x instanceof Uint8Array) return atcute.toBytes(x)
    if (x instanceof BlobRef) return toAtcute(blobMap(x) as LexValue)
  })
/** Their decoded values (multiformats CIDs, Buffers, atcute wrappers, atproto BlobRefs) in our form. */
const fromTheirs = (v: unknown): LexValue =>
  mapValue(v, (x) => {
    const cid = CID.asCID(x)
    if (cid) return cid
    if (x instanceof atcute.CidLinkWrapper) return CID.decode(x.bytes)
    if (x instanceof atcute.BytesWrapper) return new Uint8Array(x.buf)
    if (x instanceof Uint8Array) return new Uint8Array(x)
    if (x instanceof atprotoLex.BlobRef) return fromTheirs(x.ipld())
  }) as LexValue

function* records(seed: number, blobs: boolean): Generator<[number, LexValue]> {
  for (let i = 0; i < RECORDS; i++) {
    const r = new Random(seed + i)
    const rec: Record<string, LexValue> = { $type: 'com.example.record' }
    const n = 1 + r.int(8)
    for (let k = 0; k < n; k++) rec[`f${r.int(30)}${r.pick(['', 'é', '😀', 'x'])}`] = randomValue(r, 1, blobs)
    yield [seed + i, rec]
  }
}

describe('oracle: DAG-CBOR and CIDs', () => {
  it(`${RECORDS} random records encode byte-identically to @ipld/dag-cbor and @atcute/cbor`, () => {
    for (const [seed, rec] of records(1000, true)) {
      const ours = toHex(encodeCbor(rec))
      expect(toHex(new Uint8Array(ipld.encode(toIpld(rec)))), `seed ${seed}`).toBe(ours)
      expect(toHex(atcute.encode(toAtcute(rec))), `seed ${seed}`).toBe(ours)
    }
  })

  it('their encodings decode with ours to equal values, and ours with theirs', () => {
    for (const [seed, rec] of records(5000, true)) {
      const theirBytes = new Uint8Array(ipld.encode(toIpld(rec)))
      expect(lexEquals(decodeCbor(theirBytes), rec), `seed ${seed}`).toBe(true)
      const ours = encodeCbor(rec)
      expect(lexEquals(fromTheirs(ipld.decode(ours)), rec), `seed ${seed}`).toBe(true)
      expect(lexEquals(fromTheirs(atcute.decode(ours)), rec), `seed ${seed}`).toBe(true)
    }
  })

  it('CIDs of the encodings equal multiformats CIDs (string and bytes)', async () => {
    for (const [seed, rec] of records(9000, false)) {
      const bytes = encodeCbor(rec)
      const theirs = MfCID.createV1(0x71, await sha256.digest(new Uint8Array(ipld.encode(toIpld(rec)))))
      const ours = cidForCbor(bytes)
      expect(ours.toString(), `seed ${seed}`).toBe(theirs.toString())
      expect(toHex(ours.bytes), `seed ${seed}`).toBe(toHex(theirs.bytes))
    }
  })
})

describe('oracle: JSON form vs @atproto/lexicon', () => {
  it('lexToJson equals theirs, and each side reads the other JSON back to the same value', () => {
    for (const [seed, rec] of records(20000, true)) {
      const json = lexToJson(rec)
      const theirJson = atprotoLex.lexToJson(toIpld(rec) as atprotoLex.LexValue)
      expect(json, `seed ${seed}`).toEqual(theirJson)
      // Round trip through text as a network hop would.
      const text = JSON.stringify(json)
      expect(lexEquals(jsonToLex(JSON.parse(text), { strict: true }), rec), `seed ${seed}`).toBe(true)
      expect(lexEquals(fromTheirs(atprotoLex.jsonToLex(JSON.parse(text))), rec), `seed ${seed}`).toBe(true)
    }
  })
})
