/**
 * The PDS database: ONE shared SQLite file (`<dataDir>/pds.sqlite`, WAL) for every account, holding the
 * account table, and (added by their own migrations) repo blocks, records, blobs and the event log.
 *
 * Why shared and not one file per account (the official PDS's layout): a repo write and its firehose event
 * must commit together, or a kill -9 between the two leaves a commit the firehose never announces. SQLite
 * cannot commit atomically across WAL databases, so only a shared file gives one transaction for both.
 * Measured here (better-sqlite3, a createRecord-sized write: 5 blocks + record + root + a 1.2 KB event,
 * 8 accounts, 2 000 writes, machine under load; /tmp scratch script, numbers in the issue note):
 *   synchronous=NORMAL: shared, 1 txn/write ≈ 625/s · per-account + sequencer db, 2 txns/write ≈ 720/s
 *                       (the same within noise: CPU-bound, no fsync per commit)
 *   synchronous=FULL:   shared ≈ 180/s · per-account ≈ 86/s (one fsync per write instead of two) ·
 *                       shared with 8 writes grouped per transaction ≈ 580/s (group commit across
 *                       accounts, impossible with a file per account)
 * So shared costs nothing at NORMAL, wins 2–7× at FULL, and is the only layout that is atomic.
 * Per-account files' advantage (moving or deleting one account's file) is covered by `did` columns.
 *
 * Rules for code using it (the hot paths are synchronous):
 * - Write with `db.transact(() => …)`: a synchronous better-sqlite3 transaction (BEGIN IMMEDIATE). Never
 *   hold an async (Kysely) transaction open on this database: Kysely and better-sqlite3 share one
 *   connection, so statements run by other requests during its awaits would join that transaction.
 * - `db.stmt(sql)` caches prepared statements; `db.kysely` is fine for one-off queries and migrations.
 * - Timestamps are ISO 8601 strings; handles and emails are stored lowercase.
 *
 * WAL checkpoints: SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold, so one
 * write in ~50 used to wait for a few thousand page copies and two fsyncs before it could answer. Instead,
 * every {@link CHECKPOINT_EVERY} write transactions a PASSIVE checkpoint starts in a worker thread and the
 * main thread finishes it between requests (see checkpoint.ts). The automatic one stays on at a higher
 * threshold as a safety net. Durability is unchanged: a COMMIT is in the WAL file before it returns either
 * way.
 */
import type BetterSqlite3 from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { type Database, migrate, openDatabase } from '../../db/index.ts'
import { WalCheckpointer } from './checkpoint.ts'
import { pdsMigrations } from './migrations/index.ts'

export { pdsMigrations } from './migrations/index.ts'
export type { AccountRow, RefreshTokenRow } from './schema.ts'

/**
 * Write transactions between two WAL checkpoints (see the module comment). With the copying in a worker,
 * the main thread's share is about the same per checkpoint whatever their spacing, so fewer is better:
 * 300 (a WAL of ~25–35 MB for createRecords of ~20 pages) beat 100 in 3 of 3 A/B pairs (1 writer: 463–772
 * vs 282–511 createRecord/s on a loaded machine, server CPU 740–780 vs 870–1,310 µs/op).
 */
const CHECKPOINT_EVERY = 300
/** SQLite's own checkpoint threshold, a backstop far above what CHECKPOINT_EVERY lets the WAL reach. */
const AUTO_CHECKPOINT_PAGES = 10_000

export interface PdsDatabase {
  /** The underlying handle from server/db (Kysely + raw better-sqlite3). */
  database: Database
  sqlite: BetterSqlite3.Database
  kysely: Kysely<any>
  /** A cached prepared statement. */
  stmt(sql: string): BetterSqlite3.Statement
  /** Runs `fn` in a synchronous write transaction (BEGIN IMMEDIATE); nested calls become savepoints. */
  transact<T>(fn: () => T): T
  /**
   * Runs `cb` once the open transaction has committed (at once outside a transaction); dropped if the
   * transaction, or the savepoint it was registered in, rolls back. For effects outside the database
   * (deleting files) that must not happen unless the transaction is durable.
   */
  afterCommit(cb: () => void): void
  /**
   * Runs the synchronous reads of `fn` in one read transaction (BEGIN DEFERRED): one consistent snapshot,
   * and SQLite takes and drops its WAL read lock (file-lock syscalls) once instead of once per statement.
   * Inside another transaction it just runs `fn`. `fn` must not write or await.
   */
  read<T>(fn: () => T): T
  close(): Promise<void>
}

export interface OpenPdsDatabaseOptions {
  /** 'sqlite:<path>' or 'sqlite::memory:'. */
  url: string
  synchronous?: 'NORMAL' | 'FULL'
}

/** Opens the database and applies every pending migration. */
export async function openPdsDatabase(opts: OpenPdsDatabaseOptions): Promise<PdsDatabase> {
  const database = openDatabase(opts.url, { synchronous: opts.synchronous ?? 'NORMAL' })
  const sqlite = database.sqlite
  if (!sqlite) throw new Error('the PDS database must be SQLite')
  try {
    await migrate(database, pdsMigrations)
  } catch (err) {
    await database.close()
    throw err
  }
  const cache = new Map<string, BetterSqlite3.Statement>()
  const onDisk = !/^sqlite::memory:$/.test(opts.url)
  if (onDisk) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`)
  // Savepoints (nested transact) journal the pages they change: keep that journal in memory, not a temp file.
  sqlite.pragma('temp_store = MEMORY')
  const begin = sqlite.prepare('BEGIN IMMEDIATE')
  const commit = sqlite.prepare('COMMIT')
  const rollback = sqlite.prepare('ROLLBACK')
  const beginRead = sqlite.prepare('BEGIN DEFERRED')
  const savepoint = sqlite.prepare('SAVEPOINT nested')
  const release = sqlite.prepare('RELEASE nested')
  const rollbackTo = sqlite.prepare('ROLLBACK TO nested')
  /** Callbacks of the open transaction, run once its outermost COMMIT succeeded. */
  let pending: (() => void)[] = []
  /** A transaction inside another: a savepoint, so a failure undoes only its own changes (and callbacks). */
  const nested = <T>(fn: () => T): T => {
    const mark = pending.length
    savepoint.run()
    let out: T
    try {
      out = fn()
      if (out instanceof Promise) throw new TypeError('Transaction function cannot return a promise')
    } catch (err) {
      if (sqlite.inTransaction) {
        rollbackTo.run()
        release.run()
      }
      pending.length = mark
      throw err
    }
    release.run()
    return out
  }
  let commits = 0
  const checkpointer = onDisk ? new WalCheckpointer(sqlite) : undefined
  const committed = () => {
    if (checkpointer && ++commits % CHECKPOINT_EVERY === 0) checkpointer.request()
    if (pending.length === 0) return
    const run = pending
    pending = []
    for (const cb of run) cb()
  }
  return {
    database,
    sqlite,
    kysely: database.kysely,
    stmt(sql) {
      let s = cache.get(sql)
      if (!s) {
        s = sqlite.prepare(sql)
        cache.set(sql, s)
      }
      return s
    },
    transact<T>(fn: () => T): T {
      if (sqlite.inTransaction) return nested(fn)
      // The outermost one with cached statements (sqlite.transaction() builds five wrappers per call).
      begin.run()
      let out: T
      try {
        out = fn()
        if (out instanceof Promise) throw new TypeError('Transaction function cannot return a promise')
        commit.run()
      } catch (err) {
        pending = []
        if (sqlite.inTransaction) rollback.run()
        throw err
      }
      committed()
      return out
    },
    afterCommit(cb) {
      if (sqlite.inTransaction) pending.push(cb)
      else cb()
    },
    read<T>(fn: () => T): T {
      if (sqlite.inTransaction) return fn()
      beginRead.run()
      try {
        return fn()
      } finally {
        // A read-only transaction: COMMIT only releases the snapshot (and cannot fail for lack of writes).
        if (sqlite.inTransaction) commit.run()
      }
    },
    async close() {
      await checkpointer?.close()
      await database.close()
    },
  }
}
