/**
 * Oracle test: seeded random app.bsky records, generated from the bundled schemas, valid and
 * mutated (wrong types, too long strings, missing required, bad formats, bad unions, out-of-range
 * integers, long arrays), must get the same verdict from our validator and @atproto/lexicon.
 * Mutations where the official validator deliberately checks less than the spec (blob accept and
 * maxSize, arrays accepted as objects or unknown) are not generated; they are covered elsewhere.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Lexicons as OfficialLexicons, jsonToLex as officialJsonToLex } from '@atproto/lexicon'
import { describe, expect, it } from 'vitest'
import { jsonToLex } from '../data/index.ts'
import { type LexFieldType, type LexiconDoc, type LexObject, Lexicons } from './index.ts'

const LEXICON_DIR = fileURLToPath(new URL('../../../../lexicons/', import.meta.url))

function readDocs(dir: string): LexiconDoc[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? readDocs(join(dir, e.name))
      : e.name.endsWith('.json')
        ? [JSON.parse(readFileSync(join(dir, e.name), 'utf8'))]
        : [],
  )
}

function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const VALID_FORMATS: Record<string, string[]> = {
  did: ['did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'did:web:example.com'],
  handle: ['alice.bsky.social', 'example.com'],
  'at-identifier': ['did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'bob.test'],
  'at-uri': ['at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3k2aa3fobsy2c', 'at://alice.bsky.social'],
  cid: ['bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq'],
  datetime: ['2023-10-30T22:25:23.000Z', '2024-02-29T00:00:00Z', '1985-04-12T23:20:50.123+01:00'],
  language: ['en', 'pt-BR', 'ja', 'zh-Hant'],
  uri: ['https://example.com/a?b=c', 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz', 'mailto:a@example.com'],
  nsid: ['app.bsky.feed.post', 'com.example.fooBar'],
  tid: ['3kznmn7xqxl22', '3jzfcijpj2z2a'],
  'record-key': ['self', '3kznmn7xqxl22', 'a-b_c.d:e~f'],
}
const INVALID_FORMATS: Record<string, string[]> = {
  did: ['did:foo', 'did:plc:', 'DID:plc:abc'],
  handle: ['jay', 'a..b.com', '-x.com'],
  'at-identifier': ['did:', 'not an id'],
  'at-uri': ['https://example.com', 'at://'],
  cid: ['bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esab', 'Qm'],
  datetime: ['2023-01-01', 'yesterday', '2023-13-01T00:00:00Z', '2023-02-30T00:00:00Z', '1985-04-12 23:20:50Z'],
  language: ['123', 'en_US', 'e'],
  uri: ['not a uri', 'example.com'],
  nsid: ['app', 'com..x', '1.2.3'],
  tid: ['000', '3kznmn7xqxl2', 'zzzzzzzzzzzzz'],
  'record-key': ['.', '..', 'a/b', ''],
}
// One grapheme each, of 1, 2, 3, 4, 8 and 8 UTF-8 bytes.
const UNITS = ['a', 'é', '日', '😀', '👍🏽', '🇩🇪', ' ', 'Z']
const RAW_CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

/** Where a generated value sits: enough to mutate it later. */
interface Site {
  parent: Record<string, unknown> | unknown[]
  key: string | number
  def: LexFieldType
  base: string
  required: boolean
}

class Generator {
  sites: Site[] = []
  constructor(
    readonly rand: () => number,
    readonly lex: Lexicons,
  ) {}
  int = (lo: number, hi: number) => lo + Math.floor(this.rand() * (hi - lo + 1))
  pick = <T>(arr: readonly T[]): T => arr[Math.floor(this.rand() * arr.length)]

  text(def: Extract<LexFieldType, { type: 'string' }>): string {
    const maxBytes = def.maxLength ?? 300
    const maxG = def.maxGraphemes ?? 100
    const target = this.int(def.minGraphemes ?? 0, Math.min(maxG, 40))
    let s = ''
    let bytes = 0
    for (let g = 0; g < target; g++) {
      const u = this.pick(UNITS)
      const n = new TextEncoder().encode(u).length
      if (bytes + n > maxBytes) break
      s += u
      bytes += n
    }
    for (; bytes < (def.minLength ?? 0); bytes++) s += 'a'
    return s
  }

  string(def: Extract<LexFieldType, { type: 'string' }>): string {
    if (def.const !== undefined) return def.const
    if (def.enum) return this.pick(def.enum)
    if (def.format) return this.pick(VALID_FORMATS[def.format])
    if (def.knownValues && this.rand() < 0.7) return this.pick(def.knownValues)
    return this.text(def)
  }

  value(def: LexFieldType, base: string, depth: number): unknown {
    switch (def.type) {
      case 'null':
        return null
      case 'boolean':
        return def.const ?? this.rand() < 0.5
      case 'integer':
        if (def.const !== undefined) return def.const
        if (def.enum) return this.pick(def.enum)
        return this.int(def.minimum ?? 0, def.maximum ?? (def.minimum ?? 0) + 1000)
      case 'string':
        return this.string(def)
      case 'bytes':
        return {
          $bytes: Buffer.alloc(this.int(def.minLength ?? 0, Math.min(def.maxLength ?? 16, 16)), 7).toString('base64'),
        }
      case 'cid-link':
        return { $link: VALID_FORMATS.cid[0] }
      case 'blob': {
        const accept = def.accept?.[0] ?? '*/*'
        const mimeType = accept === '*/*' ? 'application/octet-stream' : accept.replace('*', 'png')
        return { $type: 'blob', ref: { $link: RAW_CID }, mimeType, size: this.int(0, def.maxSize ?? 5000) }
      }
      case 'unknown':
        return { a: 1, b: 'two' }
      case 'array': {
        const n = depth > 4 ? (def.minLength ?? 0) : this.int(def.minLength ?? 0, Math.min(def.maxLength ?? 3, 3))
        const arr: unknown[] = []
        for (let i = 0; i < n; i++) this.push(arr, i, def.items, base, depth + 1, true)
        return arr
      }
      case 'object':
        return this.object(def, base, depth)
      case 'ref':
        return this.ref(def.ref, base, depth)
      case 'union':
        return this.union(def.refs, def.closed === true, base, depth)
    }
  }

  push(
    parent: Site['parent'],
    key: string | number,
    def: LexFieldType,
    base: string,
    depth: number,
    required: boolean,
  ) {
    ;(parent as Record<string, unknown>)[key] = this.value(def, base, depth)
    this.sites.push({ parent, key, def, base, required })
  }

  object(def: LexObject, base: string, depth: number, $type?: string): Record<string, unknown> {
    const out: Record<string, unknown> = $type ? { $type } : {}
    const required = new Set(def.required)
    for (const [key, prop] of Object.entries(def.properties)) {
      if (!required.has(key) && (depth > 4 || this.rand() < 0.5)) continue
      if (def.nullable?.includes(key) && this.rand() < 0.2) out[key] = null
      else this.push(out, key, prop, base, depth + 1, required.has(key))
    }
    return out
  }

  ref(ref: string, base: string, depth: number, withType = false): unknown {
    const uri = ref.startsWith('#') ? base + ref : ref.includes('#') ? ref : `${ref}#main`
    const nsid = uri.slice(0, uri.indexOf('#'))
    const def = this.lex.getDef(uri)
    const $type = withType ? (uri.endsWith('#main') ? nsid : uri) : undefined
    if (def?.type === 'record') return this.object(def.record, nsid, depth, $type)
    if (def?.type === 'object') return this.object(def, nsid, depth, $type)
    return this.value(def as LexFieldType, nsid, depth)
  }

  union(refs: string[], closed: boolean, base: string, depth: number): unknown {
    if ((!closed && this.rand() < 0.1) || refs.length === 0) return { $type: 'com.example.unlisted#thing', x: 1 }
    return this.ref(this.pick(refs), base, depth, true)
  }
}

type Mutation = (g: Generator, s: Site) => boolean

/** Replaces the value at the site; true, for the mutation functions to return. */
function set(s: Site, v: unknown): true {
  ;(s.parent as Record<string, unknown>)[s.key] = v
  return true
}
const get = (s: Site) => (s.parent as Record<string, unknown>)[s.key]

const MUTATIONS: Record<string, Mutation> = {
  missingRequired: (_, s) =>
    s.required && !Array.isArray(s.parent) && delete (s.parent as Record<string, unknown>)[s.key],
  wrongType: (g, s) => {
    const scalars: unknown[] = ['text', 7, true, 1.5, null]
    const byType: Record<string, unknown[]> = { string: [7, true, null, ['x']], integer: ['7', true, 1.5, null] }
    const pool = (byType[s.def.type] ?? scalars).filter((v) => typeof v !== typeof get(s))
    return set(s, g.pick(pool))
  },
  tooLong: (_, s) => {
    if (s.def.type !== 'string' || (s.def.maxLength ?? s.def.maxGraphemes) === undefined) return false
    return set(s, 'a'.repeat(Math.max(s.def.maxLength ?? 0, s.def.maxGraphemes ?? 0) + 1))
  },
  badFormat: (g, s) => s.def.type === 'string' && !!s.def.format && set(s, g.pick(INVALID_FORMATS[s.def.format])),
  badUnion: (g, s) => {
    const v = get(s) as Record<string, unknown>
    if (s.def.type !== 'union' || typeof v !== 'object' || v === null) return false
    const choice = g.int(0, 3)
    if (choice === 0) delete v.$type
    else if (choice === 1) v.$type = 'com.example.unlisted#other'
    else if (choice === 2 && typeof v.$type === 'string' && !v.$type.includes('#')) v.$type = `${v.$type}#main`
    else v.$type = g.pick(s.def.refs.map((r) => (r.startsWith('#') ? s.base + r : r)))
    return true
  },
  intRange: (g, s) => {
    if (s.def.type !== 'integer') return false
    const { maximum: max, minimum: min } = s.def
    const options = [max !== undefined ? max + 1 : undefined, min !== undefined ? min - 1 : undefined, 2.5]
    return set(s, g.pick(options.filter((x) => x !== undefined)))
  },
  longArray: (_, s) => {
    const arr = get(s)
    if (s.def.type !== 'array' || s.def.maxLength === undefined || !Array.isArray(arr) || !arr.length) return false
    return set(
      s,
      Array.from({ length: s.def.maxLength + 1 }, () => structuredClone(arr[0])),
    )
  },
  extraField: (_, s) => {
    const v = get(s)
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
    ;(v as Record<string, unknown>).zzExtra = 'extra'
    return true
  },
}

/** Mutations on sites whose official handling deliberately differs from the spec. */
const skipSite = (s: Site) => s.def.type === 'blob' || s.def.type === 'unknown'

const docs = readDocs(LEXICON_DIR)
const ours = new Lexicons(docs)
const official = new OfficialLexicons(structuredClone(docs) as never)
const COLLECTIONS = docs.filter((d) => d.id.startsWith('app.bsky.') && d.defs.main?.type === 'record').map((d) => d.id)

function verdicts(collection: string, json: unknown): [string | true, string | true] {
  const mine = ours.validateRecord(collection, jsonToLex(json))
  let theirs: string | true = true
  try {
    official.assertValidRecord(collection, officialJsonToLex(json))
  } catch (err) {
    theirs = (err as Error).message
  }
  return [mine.success ? true : mine.error.message, theirs]
}

describe('oracle: @atproto/lexicon', () => {
  it('covers the main app.bsky record types', () => {
    for (const c of [
      'app.bsky.feed.post',
      'app.bsky.feed.like',
      'app.bsky.actor.profile',
      'app.bsky.feed.threadgate',
    ]) {
      expect(COLLECTIONS).toContain(c)
    }
  })

  it('valid random records: both accept', () => {
    const g = new Generator(mulberry32(1), ours)
    for (let i = 0; i < 400; i++) {
      const collection = COLLECTIONS[i % COLLECTIONS.length]
      const record = g.ref(collection, '', 0, true)
      const [mine, theirs] = verdicts(collection, record)
      expect({ collection, record, mine, theirs }).toMatchObject({ mine: true, theirs: true })
    }
  })

  it('mutated random records: same verdict, and the same message when both reject', () => {
    const g = new Generator(mulberry32(2), ours)
    const kinds = Object.keys(MUTATIONS)
    const mismatches: string[] = []
    let rejected = 0
    let cases = 0
    for (let i = 0; cases < 800 && i < 20_000; i++) {
      const collection = COLLECTIONS[i % COLLECTIONS.length]
      g.sites = []
      const record = g.ref(collection, '', 0, true) as Record<string, unknown>
      const kind = g.pick(kinds)
      // Try the mutation on the record's sites in random order; skip the record if none fits.
      const sites = g.sites.filter((s) => !skipSite(s)).sort(() => g.rand() - 0.5)
      if (!sites.some((site) => MUTATIONS[kind](g, site))) continue
      cases++
      const [mine, theirs] = verdicts(collection, record)
      if (mine !== true) rejected++
      if (mine !== theirs) mismatches.push(JSON.stringify({ kind, collection, mine, theirs, record }))
    }
    expect(mismatches).toEqual([])
    expect(cases).toBe(800)
    expect(rejected).toBeGreaterThan(500)
  })
})
