/**
 * Rich-text facet detection (src/api/facets.ts) against the official client library's detection as an
 * oracle (@atproto/api RichText, a devDependency), plus byte-offset checks on multi-byte text.
 */
import { RichText } from '@atproto/api'
import { describe, expect, it } from 'vitest'
import { detectFacets } from '../src/api/facets.ts'

const fakeDid = async (handle: string) => `did:example:${handle.replace(/\W/g, '')}`

async function ours(text: string) {
  return (await detectFacets(text, fakeDid)).map((f) => ({ index: f.index, feature: summary(f.features[0]) }))
}

function theirs(text: string) {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  return (rt.facets ?? []).map((f) => {
    const feat = f.features[0] as { $type: string; did?: string; uri?: string; tag?: string }
    // The oracle leaves the handle in `did` when not resolving; resolve it the same way we do.
    const resolved =
      feat.$type === 'app.bsky.richtext.facet#mention'
        ? { ...feat, did: `did:example:${feat.did!.replace(/\W/g, '')}` }
        : feat
    return { index: { byteStart: f.index.byteStart, byteEnd: f.index.byteEnd }, feature: summary(resolved) }
  })
}

function summary(f: { $type?: string; did?: string; uri?: string; tag?: string }) {
  return `${f.$type?.split('#')[1]}:${f.did ?? f.uri ?? f.tag}`
}

const CASES = [
  'hello @alice.test how are you',
  '@bob.example.com at the start',
  'email me at someone@example.com please',
  'see https://atproto.com/specs/repository.',
  'a link (https://example.com/path?q=1) in parens',
  'bare domain example.com/page and more',
  'trailing punct https://example.com/a, then text',
  'tags #atproto #Stratus_dev and #123 and x#nope',
  'tag at end #done.',
  'émoji 👋🏽 then @carol.test and #tag and https://ü.example.org',
  '日本語のテキスト #タグ https://example.jp/パス',
  'multi\nline\n@dan.test\n#tag',
  '@not-a-handle and @x and @.bad.',
  'https://example.com and https://example.org/x_(y)',
  'Hello from a real browser 👋 #stratus @bob.test',
]

describe('detectFacets', () => {
  for (const text of CASES) {
    it(`matches the official detection: ${JSON.stringify(text)}`, async () => {
      expect(await ours(text)).toEqual(theirs(text))
    })
  }

  it('matches the official detection on 400 random texts (seeded)', async () => {
    const rand = prng(0x5eed)
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]
    const TOKENS = [
      'hello',
      'wörld',
      '日本',
      '👋🏽',
      '—',
      'a.b',
      '@alice.test',
      '@bob.example.com',
      '(@carol.test)',
      '@x',
      '@a-b.test',
      'https://example.com',
      'https://atproto.com/specs/lexicon#overview',
      'example.org/path',
      'www.example.net',
      '(https://example.com/x)',
      '#tag',
      '#Tag_2',
      '#123',
      '#日本',
      '#tag.',
      'x#no',
      '#a#b',
      ',',
      '.',
      '!',
      '?',
    ]
    const PUNCT = /^[,.!?]$/
    for (let i = 0; i < 400; i++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pick(TOKENS))
      // One punctuation mark at most after a word: after two, the official client keeps the first in the link.
      const text = parts.reduce((acc, t) => {
        if (!PUNCT.test(t)) return acc + (acc ? pick([' ', ' ', '\n']) : '') + t
        return acc && !PUNCT.test(acc.slice(-1)) ? acc + t : acc
      }, '')
      expect(await ours(text), JSON.stringify(text)).toEqual(theirs(text))
    }
  })

  it('uses UTF-8 byte offsets, not UTF-16 indexes', async () => {
    const text = 'ä👋 #tag'
    const [facet] = await detectFacets(text, fakeDid)
    // 'ä' is 2 bytes, '👋' 4 bytes, the space 1: the tag starts at byte 7 (string index 4).
    expect(facet.index).toEqual({ byteStart: 7, byteEnd: 11 })
    expect(new TextDecoder().decode(new TextEncoder().encode(text).slice(7, 11))).toBe('#tag')
  })

  it('drops mentions whose handle does not resolve', async () => {
    const facets = await detectFacets('hi @ghost.test and @alice.test', async (h) =>
      h === 'alice.test' ? 'did:plc:alice' : undefined,
    )
    expect(facets).toEqual([
      {
        $type: 'app.bsky.richtext.facet',
        index: { byteStart: 19, byteEnd: 30 },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:alice' }],
      },
    ])
  })

  it('drops every unbalanced closing parenthesis after a link (the official client drops only one)', async () => {
    expect((await ours('(see (https://example.com/x)),')).map((f) => f.feature)).toEqual(['link:https://example.com/x'])
    expect((await ours('(https://en.wikipedia.org/wiki/A_(b))')).map((f) => f.feature)).toEqual([
      'link:https://en.wikipedia.org/wiki/A_(b)',
    ])
  })

  it('leaves mentions under unknown TLDs to handle resolution (the official client drops them earlier)', async () => {
    expect(theirs('hi @a-b.c')).toEqual([])
    expect((await ours('hi @a-b.c')).map((f) => f.feature)).toEqual(['mention:did:example:abc'])
    expect(await detectFacets('hi @a-b.c', async () => undefined)).toEqual([])
  })

  it('skips tags longer than 64 graphemes and all-digit tags', async () => {
    expect(await detectFacets(`#${'a'.repeat(65)} #2024`, fakeDid)).toEqual([])
    expect((await detectFacets(`#${'a'.repeat(64)}`, fakeDid)).length).toBe(1)
  })
})

/** mulberry32: a small seeded PRNG so a failing case reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
