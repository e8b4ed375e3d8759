/** TID generation (monotonic, valid), encoding round trips, and agreement with the official TID encoder. */
import { TID } from '@atproto/common-web'
import * as official from '@atproto/syntax'
import { describe, expect, it } from 'vitest'
import { InvalidSyntaxError, compareTids, isValidTid, nextTid, tidClockId, tidFromTime, tidTimestamp } from './index.ts'

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

describe('nextTid', () => {
  it('is strictly increasing and valid over 100k calls in a tight loop', () => {
    const N = 100_000
    const tids: string[] = new Array(N)
    const startMicros = Date.now() * 1000
    for (let i = 0; i < N; i++) tids[i] = nextTid()
    const endMicros = Date.now() * 1000
    let bad = 0
    for (let i = 0; i < N; i++) {
      if (!isValidTid(tids[i]) || !official.isValidTid(tids[i])) bad++
      if (i > 0 && !(tids[i - 1] < tids[i])) bad++
    }
    expect(bad).toBe(0)
    expect(new Set(tids).size).toBe(N)
    // One clock id per process; timestamps follow the wall clock (running ahead by at most one µs per TID).
    expect(new Set(tids.map(tidClockId)).size).toBe(1)
    expect(tidTimestamp(tids[0])).toBeGreaterThanOrEqual(startMicros - 1000)
    expect(tidTimestamp(tids[N - 1])).toBeLessThanOrEqual(endMicros + 1000 + N)
  })

  it('steps past a newer prev and stays monotonic afterwards', () => {
    const future = tidFromTime((Date.now() + 60_000) * 1000, 1023)
    const t = nextTid(future)
    expect(t > future).toBe(true)
    expect(tidTimestamp(t)).toBe(tidTimestamp(future) + 1)
    expect(nextTid() > t).toBe(true)
  })

  it('ignores an older prev and rejects an invalid one', () => {
    const old = tidFromTime(1_000_000, 0)
    expect(nextTid(old) > old).toBe(true)
    expect(() => nextTid('not-a-tid')).toThrow(InvalidSyntaxError)
  })
})

describe('tidFromTime / tidTimestamp / tidClockId', () => {
  const rand = mulberry32(0x71d)

  it('round-trip random timestamps and clock ids, including the extremes', () => {
    const cases: [number, number][] = [
      [0, 0],
      [2 ** 53 - 1, 1023],
      [1, 1],
    ]
    for (let i = 0; i < 500; i++) cases.push([Math.floor(rand() * 2 ** 53), Math.floor(rand() * 1024)])
    for (const [micros, clock] of cases) {
      const tid = tidFromTime(micros, clock)
      expect(isValidTid(tid)).toBe(true)
      expect(tidTimestamp(tid)).toBe(micros)
      expect(tidClockId(tid)).toBe(clock)
    }
  })

  it('encodes exactly like the official TID for current-era timestamps (≥ 2^50 µs, 11 characters)', () => {
    for (let i = 0; i < 500; i++) {
      const micros = 2 ** 50 + Math.floor(rand() * (2 ** 53 - 2 ** 50))
      const clock = Math.floor(rand() * 1024)
      const ours = tidFromTime(micros, clock)
      expect(ours).toBe(TID.fromTime(micros, clock).toString())
      expect(tidTimestamp(ours)).toBe(TID.fromStr(ours).timestamp())
    }
  })

  it('decodes TIDs made by the official generator', () => {
    for (let i = 0; i < 100; i++) {
      const theirs = TID.next()
      expect(tidTimestamp(theirs.toString())).toBe(theirs.timestamp())
      expect(tidClockId(theirs.toString())).toBe(theirs.clockid())
    }
  })

  it('sorts as (timestamp, clock id)', () => {
    for (let i = 0; i < 500; i++) {
      const a: [number, number] = [Math.floor(rand() * 2 ** 20) * 1e6, Math.floor(rand() * 4)]
      const b: [number, number] = [rand() < 0.3 ? a[0] : Math.floor(rand() * 2 ** 20) * 1e6, Math.floor(rand() * 4)]
      const expected = Math.sign(a[0] - b[0] || a[1] - b[1])
      expect(compareTids(tidFromTime(a[0], a[1]), tidFromTime(b[0], b[1]))).toBe(expected)
    }
  })

  it('rejects out-of-range input', () => {
    expect(() => tidFromTime(-1, 0)).toThrow(RangeError)
    expect(() => tidFromTime(2 ** 53, 0)).toThrow(RangeError)
    expect(() => tidFromTime(1.5, 0)).toThrow(RangeError)
    expect(() => tidFromTime(0, 1024)).toThrow(RangeError)
    expect(() => tidFromTime(0, -1)).toThrow(RangeError)
    // Valid syntax, but the 64-bit value has its top bit set: the timestamp needs more than 53 bits.
    expect(isValidTid('c222222222222')).toBe(true)
    expect(() => tidTimestamp('c222222222222')).toThrow(InvalidSyntaxError)
    expect(tidTimestamp('bzzzzzzzzzzzz')).toBe(2 ** 53 - 1)
    expect(() => tidTimestamp('3jzfcijpj2z2')).toThrow(InvalidSyntaxError)
  })
})
