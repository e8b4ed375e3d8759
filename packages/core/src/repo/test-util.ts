/**
 * Helpers shared by this folder's tests (never imported by the module itself): a seeded PRNG, random MST
 * keys, record CIDs, and conversion between our CIDs and the multiformats CIDs the official
 * @atproto/repo oracle uses.
 */
import { CID as MfCID } from 'multiformats/cid'
import { CID, cidForCbor, encodeCbor } from '../data/index.ts'

/** mulberry32: small, fast, good enough for test data. */
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

export const randInt = (rnd: () => number, n: number): number => Math.floor(rnd() * n)

const RKEY_CHARS = 'abcdefghijklmnopqrstuvwxyz234567'
const COLLECTIONS = ['app.bsky.feed.post', 'app.bsky.feed.like', 'app.bsky.graph.follow', 'com.example.record']

/** A random valid MST key: one of a few collections and a TID-like rkey. */
export function randomKey(rnd: () => number): string {
  let rkey = '3'
  for (let i = 0; i < 12; i++) rkey += RKEY_CHARS[randInt(rnd, RKEY_CHARS.length)]
  return `${COLLECTIONS[randInt(rnd, COLLECTIONS.length)]}/${rkey}`
}

export function randomKeys(rnd: () => number, n: number): string[] {
  const set = new Set<string>()
  while (set.size < n) set.add(randomKey(rnd))
  return [...set]
}

export function shuffle<T>(rnd: () => number, arr: T[]): T[] {
  const out = arr.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = randInt(rnd, i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** A distinct record CID per number. */
export function recordCid(n: number): CID {
  return cidForCbor(encodeCbor({ $type: 'com.example.record', n }))
}

export const toMf = (cid: CID): MfCID => MfCID.decode(cid.bytes)
export const fromMf = (cid: { bytes: Uint8Array }): CID => CID.decode(new Uint8Array(cid.bytes))
