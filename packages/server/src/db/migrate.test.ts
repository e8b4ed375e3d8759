import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql, type Kysely } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { type Database, type Migration, MigrationError, migrate, openDatabase } from './index.ts'
import { openTestPostgres, pgTestUrl } from './test-util.ts'

// test tables are untyped
type AnyDb = Kysely<any>

const createTable = (name: string): Migration => ({
  up: async (db: AnyDb) => {
    await db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute()
  },
})

async function tableNames(db: Database): Promise<string[]> {
  const tables = await db.kysely.introspection.getTables()
  return tables.map((t) => t.name).sort()
}

/** The same behaviour on every dialect. */
function migrationSuite(open: () => Promise<Database>) {
  it('applies pending migrations in name order, records them, and skips them next time', async () => {
    const db = await open()
    try {
      const order: string[] = []
      const track = (name: string): Migration => ({
        up: async (k) => {
          order.push(name)
          await createTable(`t_${name.replace(/\W/g, '')}`).up(k)
        },
      })
      // Insertion order differs from name order on purpose.
      const migrations = { '002_b': track('002_b'), '001_a': track('001_a'), '010_c': track('010_c') }
      expect(await migrate(db, migrations)).toEqual(['001_a', '002_b', '010_c'])
      expect(order).toEqual(['001_a', '002_b', '010_c'])
      expect(await migrate(db, migrations)).toEqual([])
      expect(order).toHaveLength(3)
      const rows = await db.kysely.selectFrom('stratus_migration').select('name').orderBy('name').execute()
      expect(rows.map((r) => r.name)).toEqual(['001_a', '002_b', '010_c'])
      // A later migration (and one merged in out of order) are applied on the next run.
      expect(await migrate(db, { ...migrations, '011_d': track('011_d'), '005_x': track('005_x') })).toEqual([
        '005_x',
        '011_d',
      ])
      expect(await tableNames(db)).toEqual(
        expect.arrayContaining(['t_001_a', 't_002_b', 't_005_x', 't_010_c', 't_011_d']),
      )
    } finally {
      await db.close()
    }
  })

  it('rolls back a failing migration completely and keeps the ones before it', async () => {
    const db = await open()
    try {
      const bad: Migration = {
        up: async (k) => {
          await createTable('half_done').up(k)
          await sql`insert into half_done (id) values (1)`.execute(k)
          throw new Error('boom')
        },
      }
      const err = await migrate(db, { '001_ok': createTable('ok_table'), '002_bad': bad }).catch((e) => e)
      expect(err).toBeInstanceOf(MigrationError)
      expect(err.message).toMatch(/002_bad failed: boom/)
      const tables = await tableNames(db)
      expect(tables).toContain('ok_table')
      expect(tables).not.toContain('half_done')
      const rows = await db.kysely.selectFrom('stratus_migration').select('name').execute()
      expect(rows.map((r) => r.name)).toEqual(['001_ok'])
    } finally {
      await db.close()
    }
  })

  it('uses a custom table and refuses a database that knows migrations the code does not', async () => {
    const db = await open()
    try {
      await migrate(db, { a: createTable('x1'), b: createTable('x2') }, { table: 'svc_migrations' })
      await expect(migrate(db, { a: createTable('x1') }, { table: 'svc_migrations' })).rejects.toThrow(
        /does not know.*\bb\b/,
      )
      // Another table is an independent history.
      expect(await migrate(db, { z: createTable('x3') }, { table: 'other_migrations' })).toEqual(['z'])
      await expect(migrate(db, {}, { table: 'bad name; drop' })).rejects.toThrow(MigrationError)
      await expect(migrate(db, { m: {} as Migration })).rejects.toThrow(/no up\(\)/)
    } finally {
      await db.close()
    }
  })
}

const dir = mkdtempSync(join(tmpdir(), 'stratus-migrate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

describe('migrate (sqlite)', () => {
  migrationSuite(async () => openDatabase(`sqlite:${join(dir, `m${n++}.db`)}`))

  it('applies each migration exactly once when several processes migrate the same file at once', async () => {
    const path = join(dir, 'concurrent.db')
    const script = join(dir, 'migrator.mts')
    const dbModule = fileURLToPath(new URL('./index.ts', import.meta.url))
    writeFileSync(
      script,
      `import { migrate, openDatabase } from ${JSON.stringify(dbModule)}
const db = openDatabase(${JSON.stringify(`sqlite:${path}`)})
const step = (name) => ({ up: async (k) => {
  await k.schema.createTable('runs').ifNotExists().addColumn('name', 'text').execute()
  await k.insertInto('runs').values({ name }).execute()
  await new Promise((r) => setTimeout(r, 20))
} })
await migrate(db, { '001': step('001'), '002': step('002'), '003': step('003') })
await db.close()
`,
    )
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url))
    const runs = Array.from({ length: 3 }, () => runChild(tsx, script))
    const codes = await Promise.all(runs)
    expect(codes).toEqual([0, 0, 0])
    const db = openDatabase(`sqlite:${path}`)
    const rows = await sql<{
      name: string
      c: number
    }>`select name, count(*) as c from runs group by name order by name`.execute(db.kysely)
    expect(rows.rows).toEqual([
      { name: '001', c: 1 },
      { name: '002', c: 1 },
      { name: '003', c: 1 },
    ])
    await db.close()
  })
})

function runChild(cmd: string, script: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    child.stderr.on('data', (d) => {
      err += d
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) process.stderr.write(err)
      resolve(code)
    })
  })
}

const pgUrl = await pgTestUrl()

describe.skipIf(!pgUrl)('migrate (postgres)', () => {
  migrationSuite(async () => (await openTestPostgres('migrate'))!)

  it('applies each migration exactly once with concurrent migrators on separate pools', async () => {
    const first = (await openTestPostgres('migrateconcurrent'))!
    const others = Array.from({ length: 3 }, () => openDatabase(pgUrl!, { schema: first.schema }))
    try {
      const step = (name: string): Migration => ({
        up: async (k) => {
          await sql`create table if not exists runs (name text not null)`.execute(k)
          await sql`insert into runs (name) values (${name})`.execute(k)
          await new Promise((r) => setTimeout(r, 20))
        },
      })
      const migrations = { '001': step('001'), '002': step('002'), '003': step('003') }
      const results = await Promise.all([first, ...others].map((db) => migrate(db, migrations)))
      expect(results.flat().sort()).toEqual(['001', '002', '003'])
      const rows = await sql<{
        name: string
        c: number
      }>`select name, count(*) as c from runs group by name order by name`.execute(first.kysely)
      expect(rows.rows).toEqual([
        { name: '001', c: 1 },
        { name: '002', c: 1 },
        { name: '003', c: 1 },
      ])
    } finally {
      await Promise.all(others.map((d) => d.close()))
      await first.close()
    }
  })
})
