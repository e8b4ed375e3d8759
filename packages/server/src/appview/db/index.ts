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
  // The AppView reads and writes many small rows spread over large indexes: a bigger page cache and
  // memory-mapped reads pay for themselves (per connection; SQLite only).
  database.sqlite?.pragma('cache_size = -131072')
  database.sqlite?.pragma('mmap_size = 1073741824')
  database.sqlite?.pragma('temp_store = memory')
  await migrate(database, appViewMigrations(database.dialect), { table: 'appview_migration' })
  return { database, db: database.kysely as Db, dialect: database.dialect, close: () => database.close() }
}
