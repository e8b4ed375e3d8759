import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { commonPrefixLength, isValidMstKey, keyHeight, parseDataKey } from './index.ts'

const vectors = new URL('../../../../test-vectors/mst/', import.meta.url)
const readJson = (name: string) => JSON.parse(readFileSync(new URL(name, vectors), 'utf8'))

describe('MST keys', () => {
  it('key heights match the interop vectors', () => {
    const cases: { key: string; height: number }[] = readJson('key_heights.json')
    expect(cases.length).toBeGreaterThan(5)
    for (const c of cases) expect(keyHeight(c.key), c.key).toBe(c.height)
  })

  it('common prefix lengths match the interop vectors', () => {
    const cases: { left: string; right: string; len: number }[] = readJson('common_prefix.json')
    for (const c of cases) expect(commonPrefixLength(c.left, c.right), `${c.left} | ${c.right}`).toBe(c.len)
  })

  it('example keys are valid and have the heights their names claim', () => {
    const keys = readFileSync(new URL('example_keys.txt', vectors), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
    expect(keys.length).toBeGreaterThan(100)
    for (const key of keys) {
      expect(isValidMstKey(key), key).toBe(true)
      // Keys are named like 'A0/…', 'B2/…': the digit is the key's height.
      expect(keyHeight(key), key).toBe(Number(key[1]))
    }
  })

  it('accepts and rejects keys per the repository spec', () => {
    const good = [
      'app.bsky.feed.post/3jqfcqzm3fo2j',
      'a/b',
      'com.example/self',
      'c/a_b~c-d:e.f',
      `a/${'x'.repeat(1022)}`,
    ]
    const bad = [
      '',
      'nocollection',
      '/rkey',
      'coll/',
      'a/b/c',
      'a/b c',
      'a/b\u00e9',
      'a/b\0',
      `a/${'x'.repeat(1023)}`,
      'a/b%',
      'a/b#',
    ]
    for (const k of good) expect(isValidMstKey(k), k).toBe(true)
    for (const k of bad) expect(isValidMstKey(k), JSON.stringify(k)).toBe(false)
    expect(parseDataKey('app.bsky.feed.post/abc')).toEqual({ collection: 'app.bsky.feed.post', rkey: 'abc' })
    expect(() => parseDataKey('bad')).toThrow(/not a valid MST key/)
  })
})
