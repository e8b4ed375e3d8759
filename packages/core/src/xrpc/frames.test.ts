import {
  ErrorFrame as OfficialErrorFrame,
  Frame as OfficialFrame,
  MessageFrame as OfficialMessageFrame,
} from '@atproto/xrpc-server'
import { CID as MfCID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { concat } from '../bytes/index.ts'
import { CID, encodeCbor, type LexValue } from '../data/index.ts'
import { Random, randomString, randomValue } from '../data/test-util.ts'
import { FrameError, decodeFrame, encodeErrorFrame, encodeFrame, encodeMessageFrame } from './index.ts'

/** Our data-model values in the official packages' form (multiformats CIDs). */
function toOfficial(v: LexValue): unknown {
  if (v instanceof CID) return MfCID.decode(v.bytes)
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(toOfficial)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toOfficial(x as LexValue)]))
}

function fromOfficial(v: unknown): unknown {
  const cid = MfCID.asCID(v)
  if (cid) return CID.parse(cid.toString())
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(fromOfficial)
  return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, fromOfficial(x)]))
}

function randomBody(r: Random): Record<string, LexValue> {
  const body: Record<string, LexValue> = {}
  const n = 1 + r.int(6)
  for (let i = 0; i < n; i++) body[randomString(r, 8)] = randomValue(r, 1)
  return body
}

describe('event-stream frames', () => {
  it('round-trips message and error frames', () => {
    const cid = CID.parse('bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454')
    const body = { seq: 42, repo: 'did:plc:abc', commit: cid, blocks: new Uint8Array([1, 2]), ops: [] }
    const f = decodeFrame(encodeMessageFrame('#commit', body))
    expect(f.header).toEqual({ op: 1, t: '#commit' })
    expect(f.body).toEqual(body)
    const e = decodeFrame(encodeErrorFrame('FutureCursor', 'Cursor in the future.'))
    expect(e.header).toEqual({ op: -1 })
    expect(e.body).toEqual({ error: 'FutureCursor', message: 'Cursor in the future.' })
    expect(decodeFrame(encodeErrorFrame('ConsumerTooSlow')).body).toEqual({ error: 'ConsumerTooSlow' })
  })

  it('is byte-identical to the official encoder and decodes its frames (seeded, 400 cases)', () => {
    const r = new Random(0x5eed)
    for (let i = 0; i < 400; i++) {
      const t = `#${randomString(r, 10) || 'x'}`
      const body = randomBody(r)
      const ours = encodeMessageFrame(t, body)
      const theirs = new Uint8Array(new OfficialMessageFrame(toOfficial(body) as never, { type: t }).toBytes())
      expect(Buffer.from(ours).equals(Buffer.from(theirs)), `case ${i}`).toBe(true)
      // Compare decoded values with our own decoding (the random values include -0, which encodes as 0).
      const canonical = decodeFrame(ours).body
      const back = decodeFrame(theirs)
      expect(back.header).toEqual({ op: 1, t })
      expect(back.body).toEqual(canonical)
      const official = OfficialFrame.fromBytes(ours)
      expect(official.isMessage() && official.header.t).toBe(t)
      expect(fromOfficial(official.body)).toEqual(canonical)
    }
    const err = new OfficialErrorFrame({ error: 'FutureCursor', message: 'nope' }).toBytes()
    expect(Buffer.from(encodeErrorFrame('FutureCursor', 'nope')).equals(Buffer.from(err))).toBe(true)
  })

  it('refuses to encode frames that break the framing rules', () => {
    expect(() => encodeFrame({ op: 1 }, {})).toThrow(FrameError)
    expect(() => encodeFrame({ op: 1, t: '#x' }, [1, 2])).toThrow(/object/)
    expect(() => encodeFrame({ op: 1, t: '#x' }, new Uint8Array(2))).toThrow(FrameError)
    expect(() => encodeFrame({ op: -1 }, { message: 'x' })).toThrow(/error name/)
    expect(() => encodeFrame({ op: 2 } as never, {})).toThrow(/unknown frame op/)
    // Error frames never carry t, whatever the caller passed.
    expect(decodeFrame(encodeFrame({ op: -1, t: '#x' }, { error: 'E' })).header).toEqual({ op: -1 })
  })

  it('rejects malformed frames with FrameError, never anything else', () => {
    const good = encodeMessageFrame('#a', { x: 1 })
    const header = encodeCbor({ op: 1, t: '#a' })
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['header only', header],
      ['truncated body', good.subarray(0, good.length - 1)],
      ['trailing bytes', concat([good, new Uint8Array([0])])],
      ['three objects', concat([good, encodeCbor({})])],
      ['header not a map', concat([encodeCbor([1]), encodeCbor({})])],
      ['op not an integer', concat([encodeCbor({ op: 'one', t: '#a' }), encodeCbor({})])],
      ['op 1 without t', concat([encodeCbor({ op: 1 }), encodeCbor({})])],
      ['t not a string', concat([encodeCbor({ op: 1, t: 5 }), encodeCbor({})])],
      ['message body not a map', concat([header, encodeCbor('text')])],
      ['error body without error', concat([encodeCbor({ op: -1 }), encodeCbor({ message: 'm' })])],
      ['error message not a string', concat([encodeCbor({ op: -1 }), encodeCbor({ error: 'E', message: 1 })])],
      // {op: 1, t: '#a'} with the longer key first: DAG-CBOR orders keys by length, so this is not canonical.
      [
        'non-canonical header',
        concat([new Uint8Array([0xa2, 0x62, 0x6f, 0x70, 0x01, 0x61, 0x74, 0x62, 0x23, 0x61]), encodeCbor({})]),
      ],
      ['indefinite-length body', concat([header, new Uint8Array([0xbf, 0xff])])],
      ['float in body', concat([header, new Uint8Array([0xa1, 0x61, 0x78, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0])])],
    ]
    for (const [name, bytes] of cases) {
      expect(() => decodeFrame(bytes), name).toThrow(FrameError)
    }
  })

  it('survives random garbage and random truncations (seeded)', () => {
    const r = new Random(7)
    for (let i = 0; i < 500; i++) {
      const bytes = i % 2 === 0 ? r.bytes(r.int(64)) : encodeMessageFrame('#x', randomBody(r)).subarray(0, r.int(100))
      try {
        decodeFrame(bytes)
      } catch (err) {
        expect(err).toBeInstanceOf(FrameError)
      }
    }
  })

  it('decodes unknown ops (clients skip them) and keeps unknown fields', () => {
    const f = decodeFrame(concat([encodeCbor({ op: 7, t: '#future', extra: true }), encodeCbor({ a: 1 })]))
    expect(f.header).toEqual({ op: 7, t: '#future' })
    const g = decodeFrame(concat([encodeCbor({ op: 1, t: '#a' }), encodeCbor({ a: 1, unknownField: 'kept' })]))
    expect(g.body).toEqual({ a: 1, unknownField: 'kept' })
  })
})
