import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { jsonToLex } from '../data/index.ts'
import { LexiconDocError, Lexicons, parseLexiconDoc } from './index.ts'

const dir = new URL('../../../../test-vectors/lexicon/', import.meta.url)
const read = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8'))

type DocCase = { name: string; lexicon: unknown }
type RecordCase = { name: string; rkey: string; data: { $type: string } }

const catalog = readdirSync(new URL('catalog/', dir))
  .filter((f) => f.endsWith('.json'))
  .map((f) => read(`catalog/${f}`))

describe('lexicon documents (interop vectors)', () => {
  it.each((read('lexicon-valid.json') as DocCase[]).map((c) => [c.name, c]))('valid: %s', (_, c) => {
    expect(() => parseLexiconDoc(c.lexicon)).not.toThrow()
  })

  it.each((read('lexicon-invalid.json') as DocCase[]).map((c) => [c.name, c]))('invalid: %s', (_, c) => {
    expect(() => parseLexiconDoc(c.lexicon)).toThrow(LexiconDocError)
  })

  it('loads every catalog document', () => {
    expect(catalog.length).toBeGreaterThanOrEqual(5)
    expect(() => new Lexicons(catalog)).not.toThrow()
  })
})

describe('record data (interop vectors, against catalog/record.json)', () => {
  const lex = new Lexicons(catalog)

  it.each((read('record-data-valid.json') as RecordCase[]).map((c) => [c.name, c]))('valid: %s', (_, c) => {
    const res = lex.validateRecord(c.data.$type, jsonToLex(c.data))
    if (!res.success) throw res.error
    expect(res.unknownSchema).toBeUndefined()
  })

  const invalid = (read('record-data-invalid.json') as RecordCase[]).map((c) => [c.name, c] as const)

  it.each(invalid)('invalid: %s', (_, c) => {
    const res = lex.validateRecord(c.data.$type, jsonToLex(c.data))
    expect(res.success).toBe(false)
  })

  // Some invalid cases also lack the required `integer`; fill it in so the case fails for its own reason,
  // and check that the error names the field the case is about.
  it.each(invalid)('invalid: %s (error names the field)', (_, c) => {
    const data: Record<string, unknown> = { ...c.data }
    const field = Object.keys(data).find((k) => k !== '$type' && k !== 'integer') ?? 'integer'
    if (field !== 'integer' && data.integer === undefined) data.integer = 1
    const res = lex.validateRecord(c.data.$type, jsonToLex(data))
    if (res.success) throw new Error('expected a validation error')
    const expected = Object.keys(data).length === 1 ? 'Record' : `Record/${field}`
    expect(res.error.path.startsWith(expected)).toBe(true)
    expect(res.error.message.startsWith(`${res.error.path} `)).toBe(true)
  })
})
