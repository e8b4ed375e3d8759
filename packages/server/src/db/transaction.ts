/**
 * `writeTransaction(db, fn)`: a transaction meant to write, portable across dialects. On SQLite it starts
 * with BEGIN IMMEDIATE, taking the write lock up front (waiting up to busy_timeout): Kysely's plain BEGIN is
 * deferred, and a deferred transaction that reads before writing fails at once with SQLITE_BUSY(_SNAPSHOT)
 * when another connection wrote in between, instead of waiting. On PostgreSQL it is Kysely's transaction.
 *
 * `fn` gets a Kysely bound to the transaction's connection; it must not start nested transactions.
 */
import { type Kysely, sql } from 'kysely'
import type { Database } from './open.ts'

// callers type their tables
export async function writeTransaction<T>(database: Database, fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
  if (database.dialect !== 'sqlite') return database.kysely.transaction().execute(fn)
  return database.kysely.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn)
    let result: T
    try {
      result = await fn(conn)
    } catch (err) {
      // SQLite may already have rolled back on some errors (e.g. SQLITE_FULL); only roll back if still open.
      if (database.sqlite?.inTransaction) await sql`rollback`.execute(conn)
      throw err
    }
    await sql`commit`.execute(conn)
    return result
  })
}
