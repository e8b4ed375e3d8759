/**
 * Schema migrations: named `up` steps applied in name order (plain code-unit order, so prefix names with a
 * sortable number or date), each in its own transaction together with its record in the migrations table,
 * so a failing step leaves neither partial schema changes nor a record. Concurrent migrators (two processes
 * opening the same database) serialize on the write lock (SQLite) or a lock row (PostgreSQL) and re-check
 * inside the transaction, so each step runs
 * exactly once. A step whose name sorts before already-applied ones is still applied (branches merge).
 * Refuses to run when the database records steps this code does not know (the database is newer).
 *
 * Not checked: that a step's content is unchanged since it was applied (names are the identity).
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from './open.ts'
import { writeTransaction } from './transaction.ts'

export interface Migration {
  // migrations run before any typed schema exists
  up(db: Kysely<any>): Promise<void>
}

export interface MigrateOptions {
  /** Table recording applied migrations; default 'stratus_migration'. A '<table>_lock' table is also used. */
  table?: string
}

export class MigrationError extends Error {
  override name = 'MigrationError'
}

const TABLE_RE = /^[a-z_][a-z0-9_]{0,50}$/

/** Applies every migration not yet recorded, in name order. Returns the names applied by this call. */
export async function migrate(
  db: Database,
  migrations: Record<string, Migration>,
  opts: MigrateOptions = {},
): Promise<string[]> {
  const table = opts.table ?? 'stratus_migration'
  if (!TABLE_RE.test(table)) throw new MigrationError(`invalid migrations table name: ${table}`)
  const lock = `${table}_lock`
  await ensureTables(db, table, lock)

  const applied = new Set(await appliedNames(db.kysely, table))
  const unknown = [...applied].filter((n) => !Object.hasOwn(migrations, n))
  if (unknown.length > 0) {
    throw new MigrationError(`database has migrations this code does not know (newer version?): ${unknown.join(', ')}`)
  }
  const pending = Object.keys(migrations)
    .filter((n) => !applied.has(n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

  const ran: string[] = []
  for (const name of pending) {
    if (await applyOne(db, table, lock, name, migrations[name])) ran.push(name)
  }
  return ran
}

// untyped bookkeeping tables
type AnyDb = Kysely<any>

/**
 * Creates the bookkeeping tables. On PostgreSQL, CREATE TABLE IF NOT EXISTS can still fail on the catalog
 * when two migrators race, so they serialize on a transaction-scoped advisory lock first.
 */
async function ensureTables(database: Database, table: string, lock: string): Promise<void> {
  await writeTransaction(database, async (db) => {
    if (database.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${table}))`.execute(db)
    }
    await createTables(db, table, lock)
  })
}

async function createTables(db: AnyDb, table: string, lock: string): Promise<void> {
  await db.schema
    .createTable(table)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('applied_at', 'varchar(64)', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable(lock)
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .execute()
  await db
    .insertInto(lock)
    .values({ id: 1, locked: 0 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
}

async function appliedNames(db: AnyDb, table: string): Promise<string[]> {
  const rows = await db.selectFrom(table).select('name').execute()
  return rows.map((r) => String(r.name))
}

/** Runs one step under the lock row; false if another migrator applied it first. */
async function applyOne(db: Database, table: string, lock: string, name: string, m: Migration): Promise<boolean> {
  if (typeof m?.up !== 'function') throw new MigrationError(`migration ${name} has no up() function`)
  return writeTransaction(db, async (trx) => {
    // PostgreSQL: the row lock serializes migrators before they read (SQLite: BEGIN IMMEDIATE already did).
    await trx.updateTable(lock).set({ locked: 1 }).where('id', '=', 1).execute()
    const done = await trx.selectFrom(table).select('name').where('name', '=', name).executeTakeFirst()
    if (done) return false
    try {
      await m.up(trx)
    } catch (err) {
      throw new MigrationError(`migration ${name} failed: ${(err as Error)?.message ?? err}`, { cause: err })
    }
    await trx.insertInto(table).values({ name, applied_at: new Date().toISOString() }).execute()
    return true
  })
}
