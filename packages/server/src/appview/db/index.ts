/**
 * The AppView's database: `openAppViewDb(url)` opens SQLite or PostgreSQL (see server/db) and applies the
 * AppView migrations. Tables are described in schema.ts.
 */
import { type Database, type OpenDatabaseOptions, migrate, openDatabase } from '../../db/index.ts'
import { appViewMigrations } from './migrations.ts'
import type { Db } from './schema.ts'

export type * from './schema.ts'
export { appViewMigrations } from './migrations.ts'

export interface AppViewDb {
  database: Database
  db: Db
  dialect: Database['dialect']
  close(): Promise<void>
}

export async function openAppViewDb(url: string, opts: OpenDatabaseOptions = {}): Promise<AppViewDb> {
  const database = openDatabase(url, opts)
  return wrapAppViewDb(database)
}

/** Migrates an already-open database and wraps it. */
export async function wrapAppViewDb(database: Database): Promise<AppViewDb> {
  tune(database)
  await migrate(database, appViewMigrations(database.dialect), { table: 'appview_migration' })
  return wrap(database)
}

/**
 * A second, read-only connection to an AppView database that the writer has already migrated (for reader
 * threads): SQLite read-only (WAL lets it read while the writer writes), or a small PostgreSQL pool.
 */
export function openAppViewReader(url: string, opts: { poolSize?: number } = {}): AppViewDb {
  const database = openDatabase(url, { readonly: true, poolSize: opts.poolSize ?? 4 })
  tune(database)
  return wrap(database)
}

// The AppView reads and writes many small rows spread over large indexes: a bigger page cache and
// memory-mapped reads pay for themselves (per connection; SQLite only).
function tune(database: Database): void {
  database.sqlite?.pragma('cache_size = -131072')
  database.sqlite?.pragma('mmap_size = 1073741824')
  database.sqlite?.pragma('temp_store = memory')
}

function wrap(database: Database): AppViewDb {
  return { database, db: database.kysely as Db, dialect: database.dialect, close: () => database.close() }
}
