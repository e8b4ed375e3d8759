import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BlobRef, CID, jsonToLex } from '../data/index.ts'
import { LexiconValidationError, Lexicons } from './index.ts'

const lexiconFile = (nsid: string) =>
  JSON.parse(readFileSync(new URL(`../../../../lexicons/${nsid.replaceAll('.', '/')}.json`, import.meta.url), 'utf8'))

const BSKY = [
  'app.bsky.feed.post',
  'app.bsky.embed.images',
  'app.bsky.embed.video',
  'app.bsky.embed.gallery',
  'app.bsky.embed.external',
  'app.bsky.embed.record',
  'app.bsky.embed.recordWithMedia',
  'app.bsky.embed.defs',
  'app.bsky.richtext.facet',
  'com.atproto.repo.strongRef',
  'com.atproto.label.defs',
].map(lexiconFile)

const CID_STR = 'bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq'
const RAW_CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'
const blobJson = (mimeType = 'image/png', size = 1000) => ({ $type: 'blob', ref: { $link: RAW_CID }, mimeType, size })

const TEST = {
  lexicon: 1,
  id: 'com.example.test',
  defs: {
    main: {
      type: 'record',
      key: 'tid',
      record: {
        type: 'object',
        required: ['name'],
        nullable: ['maybe'],
        properties: {
          name: { type: 'string', maxLength: 10, maxGraphemes: 3 },
          maybe: { type: 'string' },
          count: { type: 'integer', minimum: 1, maximum: 10, default: 5 },
          kind: { type: 'integer', enum: [1, 2] },
          flag: { type: 'boolean', const: true },
          data: { type: 'bytes', minLength: 2, maxLength: 4 },
          link: { type: 'cid-link' },
          image: { type: 'blob', accept: ['image/*', 'video/mp4'], maxSize: 5000 },
          any: { type: 'blob', accept: ['*/*'] },
          extra: { type: 'unknown' },
          nothing: { type: 'null' },
          closed: { type: 'union', refs: ['#a'], closed: true },
          open: { type: 'union', refs: ['#a', '#b'] },
          constructor: { type: 'integer' },
          tree: { type: 'ref', ref: '#node' },
          missing: { type: 'ref', ref: 'com.example.later#thing' },
          withDefault: { type: 'string', default: 'x' },
        },
      },
    },
    a: { type: 'object', required: ['x'], properties: { x: { type: 'integer' } } },
    b: { type: 'object', properties: { y: { type: 'string' } } },
    node: { type: 'object', properties: { child: { type: 'ref', ref: '#node' } } },
  },
}

const lex = new Lexicons([...BSKY, TEST])
const base = { $type: 'com.example.test', name: 'abc' }

/** The error message for a com.example.test record, or 'valid'. */
function check(fields: Record<string, unknown>, l = lex): string {
  const res = l.validateRecord('com.example.test', { ...base, ...fields })
  return res.success ? 'valid' : res.error.message
}

describe('record validation', () => {
  it('names the path like the official validator', () => {
    const post = jsonToLex({
      $type: 'app.bsky.feed.post',
      text: 'hi',
      createdAt: '2024-01-01T00:00:00.000Z',
      embed: {
        $type: 'app.bsky.embed.images',
        images: [
          { alt: 'ok', image: blobJson() },
          { alt: 5, image: blobJson() },
        ],
      },
    })
    const res = lex.validateRecord('app.bsky.feed.post', post)
    expect(res.success).toBe(false)
    if (res.success) return
    expect(res.error).toBeInstanceOf(LexiconValidationError)
    expect(res.error.message).toBe('Record/embed/images/1/alt must be a string')
    expect(res.error.path).toBe('Record/embed/images/1/alt')
    expect(() => lex.assertValidRecord('app.bsky.feed.post', post)).toThrow(
      'Record/embed/images/1/alt must be a string',
    )
  })

  it('checks $type and the record shape', () => {
    expect(lex.validateRecord('com.example.test', 'x').success).toBe(false)
    expect(check({ $type: 'com.example.other' })).toBe('Record/$type must be com.example.test')
    expect(check({ $type: undefined })).toBe('Record/$type must be a string')
    expect(check({ name: undefined })).toBe('Record must have the property "name"')
  })

  it('accepts records of unknown collections unvalidated, after the generic checks', () => {
    const res = lex.validateRecord('org.example.thing', { $type: 'org.example.thing', anything: [1, { x: 'y' }] })
    expect(res).toMatchObject({ success: true, unknownSchema: true })
    expect(lex.validateRecord('org.example.thing', { $type: 'org.example.other' }).success).toBe(false)
    expect(lex.validateRecord('org.example.thing', { $type: 'org.example.thing', f: 1.5 }).success).toBe(false)
  })

  it('counts maxLength in UTF-8 bytes and maxGraphemes in grapheme clusters', () => {
    expect(check({ name: '🇩🇪🏳️‍🌈' })).toBe('Record/name must not be longer than 10 characters')
    expect(check({ name: 'ééé' })).toBe('valid')
    expect(check({ name: 'éééé' })).toBe('Record/name must not be longer than 3 graphemes')
    expect(check({ name: '👍🏽' })).toBe('valid')
  })

  it('checks nullable, null, const, enum, ranges and defaults', () => {
    expect(check({ maybe: null })).toBe('valid')
    expect(check({ name: null })).toBe('Record/name must be a string')
    expect(check({ nothing: null })).toBe('valid')
    expect(check({ nothing: 0 })).toBe('Record/nothing must be null')
    expect(check({ flag: false })).toBe('Record/flag must be true')
    expect(check({ kind: 3 })).toBe('Record/kind must be one of (1|2)')
    expect(check({ count: 11 })).toBe('Record/count can not be greater than 10')
    expect(check({ count: 0 })).toBe('Record/count can not be less than 1')
    expect(check({ count: 1.5 })).toBe('Record/count must be an integer')
    expect(check({ constructor: 'x' })).toBe('Record/constructor must be an integer')
    expect(check({})).toBe('valid') // `constructor` from Object.prototype is not a value
  })

  it('checks bytes and cid-link values in data-model form', () => {
    expect(check({ data: new Uint8Array(3) })).toBe('valid')
    expect(check({ data: new Uint8Array(5) })).toBe('Record/data must not be larger than 4 bytes')
    expect(check({ data: new Uint8Array(1) })).toBe('Record/data must not be smaller than 2 bytes')
    expect(check({ data: 'AAAA' })).toBe('Record/data must be a byte array')
    expect(check({ link: CID.parse(CID_STR) })).toBe('valid')
    expect(check({ link: CID_STR })).toBe('Record/link must be a CID')
  })

  it('checks blobs: shape, accept patterns and maxSize', () => {
    const blob = (mime: string, size: number) => jsonToLex(blobJson(mime, size))
    expect(check({ image: blob('image/webp', 10) })).toBe('valid')
    expect(check({ image: blob('video/mp4', 10) })).toBe('valid')
    expect(check({ image: blob('video/webm', 10) })).toBe('Record/image mimeType must match one of image/*, video/mp4')
    expect(check({ image: blob('image/png', 5001) })).toBe('Record/image must not be larger than 5000 bytes')
    expect(check({ any: blob('application/x-anything', 10) })).toBe('valid')
    expect(check({ image: new BlobRef(CID.parse(RAW_CID), 'image/png', 10) })).toBe('valid')
    expect(check({ image: { cid: RAW_CID, mimeType: 'image/png' } })).toBe('valid') // legacy form
    expect(check({ image: { ...(blob('image/png', 1) as object), extra: 1 } })).toBe(
      'Record/image should be a blob ref',
    )
    expect(check({ image: { $type: 'blob', ref: RAW_CID, mimeType: 'image/png', size: 1 } })).toBe(
      'Record/image should be a blob ref',
    )
  })

  it('accepts only data-model maps as unknown', () => {
    expect(check({ extra: { $type: 'com.example.anything', nested: [{ link: CID.parse(CID_STR) }] } })).toBe('valid')
    for (const bad of [[1], 'x', new Uint8Array(2), CID.parse(CID_STR), jsonToLex(blobJson()), null]) {
      expect(check({ extra: bad })).not.toBe('valid')
    }
    expect(check({ extra: { deep: { x: 0.5 } } })).toBe('Record/extra must not contain non-integer numbers')
  })

  it('passes unknown $types in open unions and rejects them in closed ones', () => {
    expect(check({ open: { $type: 'org.example.future#thing', whatever: true } })).toBe('valid')
    expect(check({ open: { $type: 'com.example.test#b', y: 5 } })).toBe('Record/open/y must be a string')
    expect(check({ open: { y: 'no type' } })).toBe('Record/open must be an object which includes the "$type" property')
    expect(check({ closed: { $type: 'com.example.test#a', x: 1 } })).toBe('valid')
    expect(check({ closed: { $type: 'com.example.test#b' } })).toBe(
      'Record/closed $type must be one of com.example.test#a',
    )
    expect(check({ closed: { $type: 'com.example.test#a' } })).toBe('Record/closed must have the property "x"')
  })

  it('validates recursive schemas and survives hostile nesting', () => {
    expect(check({ tree: { child: { child: {} } } })).toBe('valid')
    expect(check({ tree: { child: { child: { child: 1 } } } })).toBe('Record/tree/child/child/child must be an object')
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 200_000; i++) deep = { child: deep }
    expect(check({ tree: deep })).toBe('Record is nested too deeply')
  })

  it('fails on a ref to a schema that is not loaded, and retries once it is added', () => {
    const l = new Lexicons([TEST])
    expect(check({ missing: { z: 1 } }, l)).toBe(
      'Record/missing could not be validated: schema com.example.later#thing is not loaded',
    )
    l.add({
      lexicon: 1,
      id: 'com.example.later',
      defs: { thing: { type: 'object', properties: { z: { type: 'integer' } } } },
    })
    expect(check({ missing: { z: 1 } }, l)).toBe('valid')
    expect(check({ missing: { z: 'one' } }, l)).toBe('Record/missing/z must be an integer')
  })

  it('validates objects by reference, and rejects duplicate documents', () => {
    expect(lex.validate('com.example.test#a', { x: 1 }).success).toBe(true)
    const res = lex.validate('com.example.test#a', {})
    expect(res.success ? '' : res.error.message).toBe('Object must have the property "x"')
    expect(() => lex.add(TEST)).toThrow('already loaded')
    expect(lex.getDef('com.example.test')?.type).toBe('record')
    expect(lex.getDef('com.example.test#a')?.type).toBe('object')
    expect(lex.get('com.example.test')?.id).toBe('com.example.test')
  })
})
