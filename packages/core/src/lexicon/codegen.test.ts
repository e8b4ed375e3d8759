import { describe, expect, expectTypeOf, it } from 'vitest'
import type { CID } from '../data/index.ts'
import type {
  AppBskyFeedGetTimeline,
  AppBskyFeedPost,
  ComAtprotoRepoCreateRecord,
  ComAtprotoSyncSubscribeRepos,
  Procedures,
  Queries,
  Records,
  Subscriptions,
} from './generated/index.ts'
import { generateLexiconTypes, parseLexiconDoc } from './index.ts'

const docs = [
  parseLexiconDoc({
    lexicon: 1,
    id: 'com.example.thing',
    defs: {
      main: {
        type: 'record',
        key: 'tid',
        record: {
          type: 'object',
          required: ['name', 'kind'],
          nullable: ['note'],
          properties: {
            name: { type: 'string' },
            kind: { type: 'string', knownValues: ['a', 'com.example.defs#tok'] },
            mode: { type: 'string', enum: ['on', 'off'] },
            note: { type: 'string' },
            count: { type: 'integer', default: 1 },
            'odd-key': { type: 'boolean' },
            link: { type: 'cid-link' },
            open: { type: 'union', refs: ['com.example.defs#a', '#local'] },
            closed: { type: 'union', refs: ['#local'], closed: true },
            items: { type: 'array', items: { type: 'ref', ref: 'com.example.defs#a' } },
          },
        },
      },
      local: { type: 'object', properties: {} },
    },
  }),
  parseLexiconDoc({
    lexicon: 1,
    id: 'com.example.defs',
    defs: {
      a: { type: 'object', description: 'An A.', properties: { x: { type: 'integer' } } },
      tok: { type: 'token' },
    },
  }),
  parseLexiconDoc({
    lexicon: 1,
    id: 'com.example.nested.getThing',
    defs: {
      main: {
        type: 'query',
        parameters: { type: 'params', required: ['id'], properties: { id: { type: 'string' } } },
        output: { encoding: 'application/json', schema: { type: 'ref', ref: 'com.example.thing' } },
      },
    },
  }),
]

describe('generateLexiconTypes', () => {
  const files = new Map(generateLexiconTypes(docs).map((f) => [f.path, f.content]))

  it('writes one file per NSID group, util.ts and index.ts', () => {
    expect([...files.keys()].sort()).toEqual(['com.example.nested.ts', 'com.example.ts', 'index.ts', 'util.ts'])
  })

  it('types records, unions, enums, known values, nullable and optional properties', () => {
    const thing = files.get('com.example.ts') ?? ''
    expect(thing).not.toContain('com.example.nested.ts') // no import of a group it does not use
    expect(thing).toContain('export namespace ComExampleThing {')
    expect(thing).toContain("    $type: 'com.example.thing'\n    name: string\n")
    expect(thing).toContain("    kind: 'a' | 'com.example.defs#tok' | (string & {})")
    expect(thing).toContain("    mode?: 'on' | 'off'")
    expect(thing).toContain('    note?: string | null')
    expect(thing).toContain('    count?: number')
    expect(thing).toContain("    'odd-key'?: boolean")
    expect(thing).toContain('    link?: $Cid')
    expect(thing).toContain('    open?: $Typed<ComExampleDefs.A> | $Typed<Local> | $OpenUnion')
    expect(thing).toContain('    closed?: $Typed<Local>\n')
    expect(thing).toContain('    items?: ComExampleDefs.A[]')
    expect(thing).toContain("  /** An A. */\n  export interface A {\n    $type?: 'com.example.defs#a'")
    expect(thing).toContain("  export type Tok = 'com.example.defs#tok'")
  })

  it('types methods and lists them in the NSID maps', () => {
    const nested = files.get('com.example.nested.ts') ?? ''
    expect(nested).toContain("import type { ComExampleThing } from './com.example.ts'")
    expect(nested).toContain('  export interface Params {\n    id: string\n  }')
    expect(nested).toContain('  export type Output = ComExampleThing.Record')
    const index = files.get('index.ts') ?? ''
    expect(index).toContain("  'com.example.thing': ComExampleThing.Record")
    expect(index).toContain(
      "  'com.example.nested.getThing': {\n    params: ComExampleNestedGetThing.Params\n    output: ComExampleNestedGetThing.Output\n  }",
    )
  })

  it('is deterministic whatever the input order', () => {
    expect(generateLexiconTypes([...docs].reverse())).toEqual(generateLexiconTypes(docs))
  })

  it('refuses NSIDs that would share a namespace name', () => {
    const a = parseLexiconDoc({ lexicon: 1, id: 'com.a-b.thing', defs: { x: { type: 'token' } } })
    const b = parseLexiconDoc({ lexicon: 1, id: 'com.aB.thing', defs: { x: { type: 'token' } } })
    expect(() => generateLexiconTypes([a, b])).toThrow('would both be generated as ComABThing')
  })
})

// Type-level checks of the committed generated types (checked by `tsc --noEmit`).
describe('generated types (compile-time)', () => {
  it('type a post, a method and the NSID maps', () => {
    const cid = 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq'
    const post: AppBskyFeedPost.Record = {
      $type: 'app.bsky.feed.post',
      text: 'hello',
      createdAt: '2024-01-01T00:00:00.000Z',
      reply: { root: { uri: 'at://x', cid }, parent: { uri: 'at://x', cid } },
      embed: { $type: 'app.bsky.embed.images', images: [] },
    }
    // @ts-expect-error text is required
    const bad: AppBskyFeedPost.Record = { $type: 'app.bsky.feed.post', createdAt: '' }
    expect(bad).toBeDefined()
    expectTypeOf<Records['app.bsky.feed.post']>().toEqualTypeOf<AppBskyFeedPost.Record>()
    expectTypeOf<Queries['app.bsky.feed.getTimeline']['output']>().toEqualTypeOf<AppBskyFeedGetTimeline.Output>()
    expectTypeOf<
      Procedures['com.atproto.repo.createRecord']['input']
    >().toEqualTypeOf<ComAtprotoRepoCreateRecord.Input>()
    expectTypeOf<Subscriptions['com.atproto.sync.subscribeRepos']['message']>().not.toBeAny()
    expectTypeOf<Procedures['com.atproto.repo.createRecord']['output']['cid']>().toEqualTypeOf<string>()
    expectTypeOf<AppBskyFeedPost.Record['embed']>().extract<{ $type: 'app.bsky.embed.images' }>().not.toBeNever()
    const commit: Subscriptions['com.atproto.sync.subscribeRepos']['message'] = {
      $type: 'com.atproto.sync.subscribeRepos#identity',
      seq: 1,
      did: 'did:plc:x',
      time: '2024-01-01T00:00:00.000Z',
    }
    expect(commit.seq).toBe(1)
    expectTypeOf<ComAtprotoSyncSubscribeRepos.Commit['commit']>().toEqualTypeOf<CID>()
    expect(post.text).toBe('hello')
  })
})
