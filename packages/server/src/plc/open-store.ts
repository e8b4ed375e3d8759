/** Picks the PlcStore implementation for a database and migrates the schema. */
import type { Database } from '../db/index.ts'
import { migrate } from '../db/index.ts'
import { plcMigrations } from './migrations.ts'
import type { PlcStore } from './store.ts'
import { KyselyPlcStore } from './store-kysely.ts'
import { SqlitePlcStore } from './store-sqlite.ts'

/** Migrates `database` and returns the store for its dialect (closing the store closes the database). */
export async function openPlcStore(database: Database, opts: { kysely?: boolean } = {}): Promise<PlcStore> {
  await migrate(database, plcMigrations(database.dialect), { table: 'plc_migration' })
  if (database.sqlite && !opts.kysely) return new SqlitePlcStore(database)
  return new KyselyPlcStore(database)
}
