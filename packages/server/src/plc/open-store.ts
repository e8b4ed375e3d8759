/**
 * Picks the PlcStore for a database and migrates the schema: prepared better-sqlite3 statements on
 * SQLite (Kysely's per-query overhead was ~20x the query itself there), Kysely on PostgreSQL.
 */
import type { Database } from '../db/index.ts'
import { migrate } from '../db/index.ts'
import { plcMigrations } from './migrations.ts'
import type { PlcStore } from './store.ts'
import { KyselyPlcStore } from './store-kysely.ts'
import { SqlitePlcStore } from './store-sqlite.ts'

/** Migrates `database` and returns the store for its dialect (closing the store closes the database). */
export async function openPlcStore(database: Database): Promise<PlcStore> {
  await migrate(database, plcMigrations(database.dialect), { table: 'plc_migration' })
  return database.sqlite ? new SqlitePlcStore(database) : new KyselyPlcStore(database)
}
