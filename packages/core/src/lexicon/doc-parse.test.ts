import { describe, expect, it } from 'vitest'
import { LexiconDocError, parseLexiconDoc } from './index.ts'

const doc = (defs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  lexicon: 1,
  id: 'com.example.test',
  defs,
  ...extra,
})
const record = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  doc({ main: { type: 'record', key: 'tid', record: { type: 'object', properties, ...extra } } })

/** The path named by the LexiconDocError thrown for `json`. */
function errorPath(json: unknown): string {
  try {
    parseLexiconDoc(json)
  } catch (err) {
    if (err instanceof LexiconDocError) return err.path
    throw err
  }
  throw new Error('expected a LexiconDocError')
}

describe('parseLexiconDoc', () => {
  it('accepts every type, constraints, inline objects, null and unknown extra fields', () => {
    const json = doc({
      main: {
        type: 'record',
        key: 'literal:self',
        record: {
          type: 'object',
          required: ['s'],
          nullable: ['n'],
          properties: {
            s: { type: 'string', format: 'datetime', maxLength: 64, maxGraphemes: 64, knownValues: ['a'] },
            n: { type: 'null' },
            i: { type: 'integer', minimum: 1, maximum: 5, enum: [1, 2], default: 1 },
            b: { type: 'boolean', const: true },
            y: { type: 'bytes', maxLength: 5 },
            c: { type: 'cid-link' },
            blob: { type: 'blob', accept: ['image/*', 'video/mp4', '*/*'], maxSize: 10 },
            u: { type: 'unknown' },
            a: { type: 'array', items: { type: 'array', items: { type: 'integer' } }, maxLength: 3 },
            o: { type: 'object', properties: { x: { type: 'string' } } },
            r: { type: 'ref', ref: '#tok2' },
            un: { type: 'union', refs: ['com.example.other#x', 'com.example.other'], closed: true },
          },
        },
        'x-extension': { anything: true },
      },
      tok2: { type: 'string', knownValues: ['com.example.test#tok'] },
      tok: { type: 'token', description: 'a token' },
    })
    expect(parseLexiconDoc(json)).toBe(json)
  })

  it('accepts queries, procedures, subscriptions and permission sets', () => {
    const params = {
      type: 'params',
      required: ['q'],
      properties: { q: { type: 'string' }, n: { type: 'array', items: { type: 'integer' } } },
    }
    const body = { encoding: 'application/json', schema: { type: 'ref', ref: '#out' } }
    const out = { type: 'object', properties: {} }
    expect(() => parseLexiconDoc(doc({ main: { type: 'query', parameters: params, output: body }, out }))).not.toThrow()
    const proc = { type: 'procedure', input: { encoding: '*/*' }, output: body, errors: [{ name: 'Oops' }] }
    expect(() => parseLexiconDoc(doc({ main: proc, out }))).not.toThrow()
    const sub = { type: 'subscription', parameters: params, message: { schema: { type: 'union', refs: ['#out'] } } }
    expect(() => parseLexiconDoc(doc({ main: sub, out }))).not.toThrow()
    const perms = {
      type: 'permission-set',
      'title:lang': { fr: 'x' },
      permissions: [{ type: 'permission', resource: 'rpc', lxm: ['*'], inheritAud: true }],
    }
    expect(() => parseLexiconDoc(doc({ main: perms }))).not.toThrow()
  })

  it.each([
    ['not an object', 'x', ''],
    ['wrong version', { ...doc({ a: { type: 'token' } }), lexicon: 2 }, 'lexicon'],
    ['bad id', { ...doc({ a: { type: 'token' } }), id: 'nope' }, 'id'],
    ['no defs', doc({}), 'defs'],
    ['bad def name', doc({ 'a#b': { type: 'token' } }), 'defs/a#b'],
    ['primary type not main', doc({ other: { type: 'query' } }), 'defs/other'],
    ['union as named def', doc({ u: { type: 'union', refs: [] } }), 'defs/u/type'],
    ['params as named def', doc({ p: { type: 'params', properties: {} } }), 'defs/p/type'],
    ['unknown type', doc({ x: { type: 'float' } }), 'defs/x/type'],
    [
      'record key',
      doc({ main: { type: 'record', key: 'sometimes', record: { type: 'object', properties: {} } } }),
      'defs/main/key',
    ],
    [
      'empty literal key',
      doc({ main: { type: 'record', key: 'literal:', record: { type: 'object', properties: {} } } }),
      'defs/main/key',
    ],
    [
      'record not an object',
      doc({ main: { type: 'record', key: 'tid', record: { type: 'string' } } }),
      'defs/main/record/type',
    ],
    ['maxLength type', record({ t: { type: 'string', maxLength: 'ten' } }), 'defs/main/record/properties/t/maxLength'],
    ['negative length', record({ t: { type: 'string', maxLength: -1 } }), 'defs/main/record/properties/t/maxLength'],
    [
      'min above max',
      record({ t: { type: 'integer', minimum: 5, maximum: 1 } }),
      'defs/main/record/properties/t/minimum',
    ],
    [
      'const and default',
      record({ t: { type: 'string', const: 'a', default: 'a' } }),
      'defs/main/record/properties/t/default',
    ],
    ['unknown format', record({ t: { type: 'string', format: 'email' } }), 'defs/main/record/properties/t/format'],
    ['enum item type', record({ t: { type: 'string', enum: ['a', 1] } }), 'defs/main/record/properties/t/enum/1'],
    ['required not a property', record({ t: { type: 'string' } }, { required: ['x'] }), 'defs/main/record/required/0'],
    [
      'nullable not a property',
      record({ t: { type: 'string' } }, { nullable: ['t', 'y'] }),
      'defs/main/record/nullable/1',
    ],
    ['bad ref', record({ r: { type: 'ref', ref: 'com..x' } }), 'defs/main/record/properties/r/ref'],
    [
      'empty closed union',
      record({ u: { type: 'union', refs: [], closed: true } }),
      'defs/main/record/properties/u/refs',
    ],
    [
      'partial mime glob',
      record({ b: { type: 'blob', accept: ['text/ht*'] } }),
      'defs/main/record/properties/b/accept/0',
    ],
    ['bare * accept', record({ b: { type: 'blob', accept: ['*'] } }), 'defs/main/record/properties/b/accept/0'],
    ['array without items', record({ a: { type: 'array' } }), 'defs/main/record/properties/a/items'],
    ['token as a property', record({ t: { type: 'token' } }), 'defs/main/record/properties/t/type'],
    ['object without properties', record({ o: { type: 'object' } }), 'defs/main/record/properties/o/properties'],
    [
      'description type',
      record({ t: { type: 'string', description: 5 } }),
      'defs/main/record/properties/t/description',
    ],
    [
      'object in params',
      doc({
        main: { type: 'query', parameters: { type: 'params', properties: { o: { type: 'object', properties: {} } } } },
      }),
      'defs/main/parameters/properties/o/type',
    ],
    ['query with input', doc({ main: { type: 'query', input: { encoding: 'application/json' } } }), 'defs/main/input'],
    ['body without encoding', doc({ main: { type: 'procedure', output: {} } }), 'defs/main/output/encoding'],
    [
      'body schema not object/ref/union',
      doc({ main: { type: 'procedure', output: { encoding: 'application/json', schema: { type: 'string' } } } }),
      'defs/main/output/schema/type',
    ],
    [
      'error name with space',
      doc({ main: { type: 'query', errors: [{ name: 'Bad Thing' }] } }),
      'defs/main/errors/0/name',
    ],
    [
      'subscription message not a union',
      doc({ main: { type: 'subscription', message: { schema: { type: 'object', properties: {} } } } }),
      'defs/main/message/schema/type',
    ],
    ['subscription without message', doc({ main: { type: 'subscription' } }), 'defs/main/message'],
    [
      'permission type',
      doc({ main: { type: 'permission-set', permissions: [{ type: 'perm', resource: 'repo' }] } }),
      'defs/main/permissions/0/type',
    ],
    [
      'permission field',
      doc({ main: { type: 'permission-set', permissions: [{ type: 'permission', resource: 'repo', x: {} }] } }),
      'defs/main/permissions/0/x',
    ],
    [
      'title:lang key',
      doc({ main: { type: 'permission-set', permissions: [], 'title:lang': { '12': 'x' } } }),
      'defs/main/title:lang/12',
    ],
  ])('rejects %s, naming the path', (_, json, path) => {
    expect(errorPath(json)).toBe(path)
  })

  it('names the document and the path in the message', () => {
    expect(() => parseLexiconDoc(record({ t: { type: 'string', maxLength: 'ten' } }))).toThrow(
      'Lexicon com.example.test: defs/main/record/properties/t/maxLength must be an integer',
    )
  })

  it('rejects hostile nesting with an error, not a stack overflow', () => {
    let items: Record<string, unknown> = { type: 'integer' }
    for (let i = 0; i < 10_000; i++) items = { type: 'array', items }
    expect(() => parseLexiconDoc(doc({ deep: items }))).toThrow(LexiconDocError)
  })
})
