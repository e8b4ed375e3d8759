/** Test helpers shared by this module's tests: a seeded PRNG and random data-model values. */
import { BlobRef } from './blob-ref.ts'
import { CID } from './cid.ts'
import type { LexValue } from './types.ts'

/** mulberry32: small, fast, seeded; failures reproduce from the seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class Random {
  readonly next: () => number
  constructor(seed: number) {
    this.next = prng(seed)
  }
  int(max: number): number {
    return Math.floor(this.next() * max)
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i++) out[i] = this.int(256)
    return out
  }
}

/** Characters chosen to stress UTF-8 lengths and UTF-16 vs UTF-8 ordering (BMP above surrogates, astral). */
const CHARS = ['a', 'b', 'z', '$', '0', ' ', 'é', 'ß', '€', '\uE000', '\uFFFD', '日', '😀', '𓋓', '\u{10FFFF}', '\u0000']
const INTS = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]

export function randomString(r: Random, maxLen: number): string {
  const len = r.int(maxLen + 1)
  let s = ''
  // Mostly-ASCII strings exercise the fast paths; the rest mix in multi-byte characters.
  const ascii = r.next() < 0.5
  for (let i = 0; i < len; i++) s += ascii ? String.fromCharCode(32 + r.int(95)) : r.pick(CHARS)
  return s
}

export function randomInt(r: Random): number {
  const n = r.next() < 0.5 ? r.pick(INTS) : r.int(2 ** 31) * (r.next() < 0.5 ? 1 : 2 ** 21) + r.int(1000)
  const safe = Math.min(n, Number.MAX_SAFE_INTEGER)
  return r.next() < 0.3 ? -safe : safe
}

export function randomCid(r: Random): CID {
  return CID.create(r.next() < 0.8 ? 0x71 : 0x55, r.bytes(32))
}

/** A random value (no BlobRef instances unless `blobs`). Depth-limited. */
export function randomValue(r: Random, depth = 0, blobs = false): LexValue {
  const kind = r.int(depth >= 4 ? 7 : 10)
  switch (kind) {
    case 0:
      return null
    case 1:
      return r.next() < 0.5
    case 2:
      return randomInt(r)
    case 3:
      return randomString(r, r.next() < 0.9 ? 30 : 300)
    case 4:
      return r.bytes(r.int(r.next() < 0.9 ? 40 : 400))
    case 5:
      return randomCid(r)
    case 6:
      return blobs && r.next() < 0.5
        ? new BlobRef(CID.create(0x55, r.bytes(32)), 'image/png', r.int(1e6))
        : randomString(r, 8)
    case 7:
      return Array.from({ length: r.int(6) }, () => randomValue(r, depth + 1, blobs))
    default: {
      const obj: Record<string, LexValue> = {}
      const n = r.int(8)
      for (let i = 0; i < n; i++) obj[randomString(r, 6)] = randomValue(r, depth + 1, blobs)
      return obj
    }
  }
}
