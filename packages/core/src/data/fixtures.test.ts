/** The official interop vectors: data-model fixtures, valid/invalid JSON, and the CAR file fixture. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromBase64, toBase64 } from '../bytes/index.ts'
import {
  CID,
  decodeCbor,
  encodeCbor,
  jsonToLex,
  lexEquals,
  lexToJson,
  readCar,
  readCarStream,
  cidForCbor,
  type Block,
  writeCarBytes,
} from './index.ts'

const vectors = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../../../test-vectors/${path}`, import.meta.url), 'utf8'))

type Fixture = { json: unknown; cbor_base64: string; cid: string }
const fixtures: Fixture[] = vectors('data-model/data-model-fixtures.json')

describe('data-model-fixtures.json', () => {
  it.each(fixtures.map((f, i) => [i, f] as const))('fixture %i: JSON → CBOR bytes and CID', (_, f) => {
    const value = jsonToLex(f.json, { strict: true })
    const bytes = encodeCbor(value)
    expect(toBase64(bytes)).toBe(f.cbor_base64)
    expect(cidForCbor(bytes).toString()).toBe(f.cid)
  })

  it.each(fixtures.map((f, i) => [i, f] as const))('fixture %i: CBOR → same value and JSON', (_, f) => {
    const bytes = fromBase64(f.cbor_base64)
    const decoded = decodeCbor(bytes)
    expect(lexEquals(decoded, jsonToLex(f.json))).toBe(true)
    // The JSON form round-trips: $bytes output is unpadded like the fixtures.
    expect(lexToJson(decoded)).toEqual(f.json)
    expect(encodeCbor(decoded)).toEqual(bytes)
  })
})

type Case = { note: string; json: unknown }
/** A data-model node at the top of a record must be a map; the rest is jsonToLex's strict mode. */
function acceptsRecordJson(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false
  try {
    encodeCbor(jsonToLex(json, { strict: true }))
    return true
  } catch {
    return false
  }
}

describe('data-model-valid.json / data-model-invalid.json', () => {
  const valid: Case[] = vectors('data-model/data-model-valid.json')
  const invalid: Case[] = vectors('data-model/data-model-invalid.json')
  it.each(valid.map((c) => [c.note, c.json]))('valid: %s', (_, json) => {
    expect(acceptsRecordJson(json)).toBe(true)
  })
  it.each(invalid.map((c) => [c.note, c.json]))('invalid: %s', (_, json) => {
    expect(acceptsRecordJson(json)).toBe(false)
  })
})

describe('car-file-fixtures.json', () => {
  type CarFixture = { root: string; blocks: { cid: string; bytes: string }[]; car: string }
  const cars: CarFixture[] = vectors('atproto-fixtures/repo/car-file-fixtures.json')

  it.each(cars.map((c, i) => [i, c] as const))('CAR %i reads, streams and re-writes byte-identically', async (_, c) => {
    const carBytes = fromBase64(c.car)
    const { roots, blocks } = readCar(carBytes)
    expect(roots.map(String)).toEqual([c.root])
    expect([...blocks.keys()]).toEqual(c.blocks.map((b) => b.cid))
    for (const b of c.blocks) expect(toBase64(blocks.get(b.cid)!)).toBe(b.bytes)

    const streamed = await readCarStream([carBytes.subarray(0, 10), carBytes.subarray(10)])
    const got: string[] = []
    for await (const block of streamed.blocks) got.push(block.cid.toString())
    expect(got).toEqual(c.blocks.map((b) => b.cid))

    const list: Block[] = c.blocks.map((b) => ({ cid: CID.parse(b.cid), bytes: fromBase64(b.bytes) }))
    expect(toBase64(writeCarBytes([CID.parse(c.root)], list))).toBe(c.car)
  })
})
