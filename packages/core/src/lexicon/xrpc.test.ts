import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CID } from '../data/index.ts'
import { LexiconNotFoundError, LexiconValidationError, Lexicons } from './index.ts'

function readDocs(dir: string): unknown[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? readDocs(join(dir, e.name))
      : e.name.endsWith('.json')
        ? [JSON.parse(readFileSync(join(dir, e.name), 'utf8'))]
        : [],
  )
}
const lex = new Lexicons(readDocs(fileURLToPath(new URL('../../../../lexicons/', import.meta.url))))

/** The message of the error `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(LexiconValidationError)
    return (err as Error).message
  }
  return 'no error'
}

describe('XRPC params', () => {
  const params = (p: Record<string, string | string[] | undefined>) =>
    lex.assertValidXrpcParams('app.bsky.feed.getAuthorFeed', p)

  it('coerces strings, applies defaults and passes undeclared params through', () => {
    expect(params({ actor: 'alice.test', limit: '20', includePins: 'true', other: 'x' })).toEqual({
      actor: 'alice.test',
      limit: 20,
      includePins: true,
      filter: 'posts_with_replies',
      other: 'x',
    })
    expect(params({ actor: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz' })).toMatchObject({ limit: 50, includePins: false })
  })

  it('rejects bad values with the official wording', () => {
    expect(thrown(() => params({}))).toBe('Params must have the property "actor"')
    expect(thrown(() => params({ actor: 'alice.test', limit: '101' }))).toBe('limit can not be greater than 100')
    expect(thrown(() => params({ actor: 'alice.test', limit: '1e3' }))).toBe('limit must be an integer')
    expect(thrown(() => params({ actor: 'alice.test', limit: ['1', '2'] }))).toBe('limit must be a single value')
    expect(thrown(() => params({ actor: 'alice.test', includePins: 'yes' }))).toBe('includePins must be a boolean')
    expect(thrown(() => params({ actor: 'not a handle' }))).toBe('actor must be a valid did or a handle')
  })

  it('reads arrays from one or many values', () => {
    const uri = 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3k2aa3fobsy2c'
    const getPosts = (uris: string | string[]) => lex.assertValidXrpcParams('app.bsky.feed.getPosts', { uris })
    expect(getPosts(uri)).toEqual({ uris: [uri] })
    expect(getPosts([uri, uri])).toEqual({ uris: [uri, uri] })
    expect(thrown(() => getPosts([uri, 'nope']))).toBe('uris/1 must be a valid at-uri')
    expect(thrown(() => getPosts(Array(26).fill(uri)))).toBe('uris must not have more than 25 elements')
  })

  it('throws LexiconNotFoundError for unknown methods', () => {
    expect(() => lex.assertValidXrpcParams('com.example.nothing', {})).toThrow(LexiconNotFoundError)
    expect(() => lex.assertValidXrpcInput('app.bsky.feed.post', {})).toThrow(LexiconNotFoundError)
    expect(lex.getMethod('app.bsky.feed.getTimeline')?.type).toBe('query')
    expect(lex.getMethod('app.bsky.feed.post')).toBeUndefined()
  })
})

describe('XRPC bodies', () => {
  it('validates procedure input', () => {
    const input = {
      repo: 'alice.test',
      collection: 'app.bsky.feed.like',
      record: { $type: 'app.bsky.feed.like' },
    }
    expect(() => lex.assertValidXrpcInput('com.atproto.repo.createRecord', input)).not.toThrow()
    expect(thrown(() => lex.assertValidXrpcInput('com.atproto.repo.createRecord', { ...input, repo: undefined }))).toBe(
      'Input must have the property "repo"',
    )
    expect(thrown(() => lex.assertValidXrpcInput('com.atproto.repo.createRecord', { ...input, validate: 'yes' }))).toBe(
      'Input/validate must be a boolean',
    )
    expect(thrown(() => lex.assertValidXrpcInput('com.atproto.repo.createRecord', [input]))).toBe(
      'Input must be an object',
    )
    // Binary bodies have no schema: nothing to check.
    expect(() => lex.assertValidXrpcInput('com.atproto.repo.uploadBlob', new Uint8Array(3))).not.toThrow()
  })

  it('validates query output', () => {
    expect(() => lex.assertValidXrpcOutput('app.bsky.feed.getTimeline', { feed: [] })).not.toThrow()
    expect(thrown(() => lex.assertValidXrpcOutput('app.bsky.feed.getTimeline', { feed: [{}] }))).toBe(
      'Output/feed/0 must have the property "post"',
    )
  })

  it('validates ref and union bodies', () => {
    const l = new Lexicons([
      {
        lexicon: 1,
        id: 'com.example.method',
        defs: {
          main: {
            type: 'procedure',
            input: { encoding: 'application/json', schema: { type: 'ref', ref: '#body' } },
            output: { encoding: 'application/json', schema: { type: 'union', refs: ['#body'], closed: true } },
          },
          body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
        },
      },
    ])
    expect(() => l.assertValidXrpcInput('com.example.method', { n: 1 })).not.toThrow()
    expect(thrown(() => l.assertValidXrpcInput('com.example.method', { n: 'x' }))).toBe('Input/n must be an integer')
    expect(thrown(() => l.assertValidXrpcInput('com.example.method', 'x'))).toBe('Input must be an object')
    expect(() =>
      l.assertValidXrpcOutput('com.example.method', { $type: 'com.example.method#body', n: 1 }),
    ).not.toThrow()
    expect(thrown(() => l.assertValidXrpcOutput('com.example.method', { n: 1 }))).toBe(
      'Output must be an object which includes the "$type" property',
    )
  })
})

describe('subscription messages', () => {
  const identity = { seq: 1, did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', time: '2024-01-01T00:00:00.000Z' }
  const NSID = 'com.atproto.sync.subscribeRepos'

  it('validates messages by $type or by the frame header type', () => {
    expect(() => lex.assertValidXrpcMessage(NSID, { $type: `${NSID}#identity`, ...identity })).not.toThrow()
    expect(() => lex.assertValidXrpcMessage(NSID, identity, '#identity')).not.toThrow()
    expect(thrown(() => lex.assertValidXrpcMessage(NSID, { ...identity, seq: 'one' }, '#identity'))).toBe(
      'Message/seq must be an integer',
    )
    expect(thrown(() => lex.assertValidXrpcMessage(NSID, { ...identity, did: 'x' }, `${NSID}#identity`))).toBe(
      'Message/did must be a valid did',
    )
    expect(thrown(() => lex.assertValidXrpcMessage(NSID, identity))).toBe(
      'Message must be an object which includes the "$type" property',
    )
  })

  it('checks commit messages with CIDs and bytes, and passes unknown types (open union)', () => {
    const cid = CID.parse('bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq')
    const commit = {
      seq: 5,
      rebase: false,
      tooBig: false,
      repo: identity.did,
      commit: cid,
      rev: '3kznmn7xqxl22',
      since: null,
      blocks: new Uint8Array(10),
      ops: [{ action: 'create', path: 'app.bsky.feed.post/3kznmn7xqxl22', cid }],
      blobs: [],
      time: identity.time,
    }
    expect(() => lex.assertValidXrpcMessage(NSID, commit, '#commit')).not.toThrow()
    expect(thrown(() => lex.assertValidXrpcMessage(NSID, { ...commit, blocks: 'x' }, '#commit'))).toBe(
      'Message/blocks must be a byte array',
    )
    expect(() => lex.assertValidXrpcMessage(NSID, { anything: 1 }, '#futureEvent')).not.toThrow()
  })
})
