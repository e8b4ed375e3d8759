import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from './index.ts'

const dir = mkdtempSync(join(tmpdir(), 'stratus-db-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('openDatabase (sqlite)', () => {
  it('opens a file in WAL mode with synchronous NORMAL, foreign keys and a busy timeout', async () => {
    const db = openDatabase(`sqlite:${join(dir, 'a', 'nested', 'one.db')}`)
    try {
      expect(db.dialect).toBe('sqlite')
      const h = db.sqlite!
      expect(h.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(h.pragma('synchronous', { simple: true })).toBe(1) // NORMAL
      expect(h.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(h.pragma('busy_timeout', { simple: true })).toBe(5000)
    } finally {
      await db.close()
    }
  })

  it('honours synchronous FULL and a custom busy timeout', async () => {
    const db = openDatabase(`sqlite:${join(dir, 'full.db')}`, { synchronous: 'FULL', busyTimeoutMs: 1234 })
    expect(db.sqlite!.pragma('synchronous', { simple: true })).toBe(2)
    expect(db.sqlite!.pragma('busy_timeout', { simple: true })).toBe(1234)
    await db.close()
  })

  it('rejects an invalid synchronous mode instead of interpolating it', () => {
    expect(() => openDatabase('sqlite::memory:', { synchronous: 'NORMAL; DROP TABLE x' as never })).toThrow(
      /synchronous/,
    )
  })

  it('enforces foreign keys through Kysely', async () => {
    const db = openDatabase('sqlite::memory:')
    await sql`create table parent (id integer primary key)`.execute(db.kysely)
    await sql`create table child (id integer primary key, parent integer not null references parent(id))`.execute(
      db.kysely,
    )
    await expect(db.kysely.insertInto('child').values({ id: 1, parent: 99 }).execute()).rejects.toThrow(/FOREIGN KEY/)
    await db.close()
  })

  it('binds booleans as 0/1 and round-trips bytes', async () => {
    const db = openDatabase('sqlite::memory:')
    await sql`create table t (flag integer not null, data blob)`.execute(db.kysely)
    await db.kysely
      .insertInto('t')
      .values([
        { flag: true, data: new Uint8Array([1, 2, 3]) },
        { flag: false, data: null },
      ])
      .execute()
    const rows = await db.kysely.selectFrom('t').selectAll().where('flag', '=', true).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0].flag).toBe(1)
    expect(new Uint8Array(rows[0].data)).toEqual(new Uint8Array([1, 2, 3]))
    await db.close()
  })

  it('keeps committed data across reopen and shares the handle with Kysely', async () => {
    const path = join(dir, 'persist.db')
    const a = openDatabase(`sqlite:${path}`)
    await sql`create table kv (k text primary key, v text)`.execute(a.kysely)
    a.sqlite!.prepare('insert into kv values (?, ?)').run('raw', '1')
    await a.kysely.insertInto('kv').values({ k: 'kysely', v: '2' }).execute()
    await a.close()
    await a.close() // idempotent
    const b = openDatabase(`sqlite://${path}`)
    const rows = await b.kysely.selectFrom('kv').selectAll().orderBy('k').execute()
    expect(rows).toEqual([
      { k: 'kysely', v: '2' },
      { k: 'raw', v: '1' },
    ])
    await b.close()
  })

  it('reuses prepared statements without mixing up results', async () => {
    const db = openDatabase('sqlite::memory:')
    await sql`create table n (i integer)`.execute(db.kysely)
    for (let i = 0; i < 300; i++) await db.kysely.insertInto('n').values({ i }).execute()
    // 300 distinct SQL strings overflow the statement cache; results must stay right.
    for (let i = 0; i < 300; i += 7) {
      const r = await sql<{ c: number }>`select count(*) as c from n where i < ${sql.lit(i)}`.execute(db.kysely)
      expect(r.rows[0].c).toBe(i)
    }
    await db.close()
  })

  it('rejects unknown URL schemes and empty paths; connects to PostgreSQL lazily', async () => {
    expect(() => openDatabase('mysql://x')).toThrow(/unsupported database URL/)
    expect(() => openDatabase('sqlite:')).toThrow(/no path/)
    const lazy = openDatabase('postgres://u:secret@127.0.0.1:1/db')
    expect(lazy.dialect).toBe('postgres')
    await lazy.close()
    try {
      openDatabase('mysql://user:hunter2@host/db')
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2')
    }
  })
})
