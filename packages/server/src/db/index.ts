/**
 * Storage for every service: `openDatabase(url)` (SQLite via better-sqlite3 in WAL mode, or PostgreSQL via
 * pg, both behind Kysely) and `migrate(db, migrations)`. Test helpers (pgTestUrl, openTestPostgres) live in
 * './test-util.ts' and are imported from there by tests only.
 */
export { openDatabase, type Database, type Dialect, type OpenDatabaseOptions } from './open.ts'
export { migrate, MigrationError, type Migration, type MigrateOptions } from './migrate.ts'
export { writeTransaction } from './transaction.ts'
export { openSqliteHandle, type SqliteOptions, type SqliteSynchronous } from './sqlite.ts'
export { assertSchemaName, type PostgresOptions } from './postgres.ts'
