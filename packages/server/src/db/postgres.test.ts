import { sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { openDatabase } from './index.ts'
import { assertSchemaName, splitSchemaParam } from './postgres.ts'
import { openTestPostgres, pgTestUrl, resolvePgTestUrl, testSchemaName } from './test-util.ts'

describe('schema names and URLs', () => {
  it('accepts only plain lowercase identifiers', () => {
    expect(() => assertSchemaName('relay_1')).not.toThrow()
    for (const bad of ['', '1abc', 'Abc', 'a-b', 'a;drop', 'a b', 'x'.repeat(64), 'a"b']) {
      expect(() => assertSchemaName(bad), bad).toThrow(/invalid schema name/)
    }
    expect(() => openDatabase('postgres://h/db', { schema: 'bad;name' })).toThrow(/invalid schema name/)
  })

  it('test schema names are letters only and distinct per call', () => {
    const a = testSchemaName('My Suite-2!')
    const b = testSchemaName('My Suite-2!')
    expect(a).toMatch(/^[a-z]+$/)
    expect(a.startsWith('tmysuite')).toBe(true)
    expect(a).not.toBe(b)
  })

  it('splits ?schema= out of a URL and keeps the rest', () => {
    const r = splitSchemaParam('postgres://u@h:5432/db?schema=relay&sslmode=disable')
    expect(r.schema).toBe('relay')
    expect(r.url).toBe('postgres://u@h:5432/db?sslmode=disable')
    expect(splitSchemaParam('postgres://u@h/db').schema).toBeUndefined()
  })
})

describe('pgTestUrl rule', () => {
  const dead = 'postgres://postgres@127.0.0.1:1/test'
  it('throws under CI when the database is unreachable', async () => {
    await expect(resolvePgTestUrl(dead, true, () => {})).rejects.toThrow(/unreachable and CI is set/)
  })
  it('returns undefined (skip) outside CI when unreachable', async () => {
    const lines: string[] = []
    expect(await resolvePgTestUrl(dead, false, (l) => lines.push(l))).toBeUndefined()
    expect(lines).toEqual([
      expect.stringMatching(/SKIPPING PostgreSQL tests: postgres:\/\/127\.0\.0\.1:1\/test unreachable/),
    ])
  })
})

const pgUrl = await pgTestUrl()

describe.skipIf(!pgUrl)('per-suite PostgreSQL schemas', () => {
  const schemaExists = async (name: string) => {
    const c = new pg.Client({ connectionString: pgUrl })
    await c.connect()
    try {
      const r = await c.query('select 1 from information_schema.schemata where schema_name = $1', [name])
      return r.rowCount === 1
    } finally {
      await c.end()
    }
  }

  it('creates the schema, pins search_path on every pooled connection, and drops it on close', async () => {
    const db = (await openTestPostgres('schemas', { poolSize: 4 }))!
    const schema = db.schema!
    expect(await schemaExists(schema)).toBe(false) // lazy: nothing happens before first use
    await sql`create table thing (id integer primary key)`.execute(db.kysely)
    expect(await schemaExists(schema)).toBe(true)
    // Hold four connections at once so the pool must open several; each must see the schema.
    const clients = await Promise.all([0, 1, 2, 3].map(() => db.pool!.connect()))
    try {
      const paths = await Promise.all(clients.map((c) => c.query('show search_path')))
      for (const p of paths) expect(p.rows[0].search_path).toBe(schema)
      const found = await Promise.all(clients.map((c) => c.query('select count(*) as n from thing')))
      for (const f of found) expect(f.rows[0].n).toBe(0) // int8 parsed as a number
    } finally {
      for (const c of clients) c.release()
    }
    await db.close()
    expect(await schemaExists(schema)).toBe(false)
  })

  it('keeps suites apart: the same table name in two schemas holds different rows', async () => {
    const a = (await openTestPostgres('isolation'))!
    const b = (await openTestPostgres('isolation'))!
    try {
      for (const [db, v] of [
        [a, 'from a'],
        [b, 'from b'],
      ] as const) {
        await sql`create table note (v text)`.execute(db.kysely)
        await db.kysely.insertInto('note').values({ v }).execute()
      }
      expect(await a.kysely.selectFrom('note').select('v').execute()).toEqual([{ v: 'from a' }])
      expect(await b.kysely.selectFrom('note').select('v').execute()).toEqual([{ v: 'from b' }])
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('takes the schema from ?schema= and leaves it in place without dropSchemaOnClose', async () => {
    const name = testSchemaName('urlschema')
    const db = openDatabase(`${pgUrl}?schema=${name}`)
    expect(db.schema).toBe(name)
    await sql`create table t (big bigint, b bytea, flag boolean)`.execute(db.kysely)
    await db.kysely
      .insertInto('t')
      .values({ big: '9007199254740993', b: new Uint8Array([9, 8]), flag: true })
      .execute()
    const row = await db.kysely.selectFrom('t').selectAll().executeTakeFirstOrThrow()
    expect(row.big).toBe('9007199254740993') // beyond 2^53: kept exact as a string
    expect(new Uint8Array(row.b)).toEqual(new Uint8Array([9, 8]))
    expect(row.flag).toBe(true)
    await db.close()
    expect(await schemaExists(name)).toBe(true)
    const cleanup = openDatabase(pgUrl!, { schema: name, dropSchemaOnClose: true })
    await cleanup.close()
    expect(await schemaExists(name)).toBe(false)
  })
})
