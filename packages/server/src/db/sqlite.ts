/**
 * SQLite through better-sqlite3: opens the file, applies the pragmas every Stratus store relies on and
 * wraps the handle for Kysely with a prepared-statement cache and boolean parameters bound as 0/1
 * (SQLite has no boolean type; Postgres code passes `true`/`false`, so portable queries need this).
 *
 * Durability: WAL with synchronous=NORMAL keeps every committed transaction across a process crash
 * (kill -9) because the WAL is written before COMMIT returns; only an OS crash or power loss can lose
 * the last transactions. synchronous=FULL also fsyncs the WAL on every commit, for stores that must
 * survive power loss.
 */
import BetterSqlite3 from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'

export interface SqliteOptions {
  /** Default NORMAL (survives process crashes); FULL for stores that must survive power loss. */
  synchronous?: SqliteSynchronous
  /** How long a writer waits for another connection's lock before failing with SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number
  readonly?: boolean
}

const STATEMENT_CACHE_SIZE = 256

/** Opens `path` (':memory:' for a private in-memory database) with WAL, foreign keys and a busy timeout. */
export function openSqliteHandle(path: string, opts: SqliteOptions = {}): BetterSqlite3.Database {
  const busy = opts.busyTimeoutMs ?? 5000
  const db = new BetterSqlite3(path, { timeout: busy, readonly: opts.readonly ?? false })
  try {
    if (path !== ':memory:' && !opts.readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true })
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`could not enable WAL on ${path} (got ${mode})`)
    }
    db.pragma(`synchronous = ${checkSynchronous(opts.synchronous ?? 'NORMAL')}`)
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busy))}`)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}

function checkSynchronous(s: string): SqliteSynchronous {
  const up = s.toUpperCase()
  if (up !== 'OFF' && up !== 'NORMAL' && up !== 'FULL' && up !== 'EXTRA') {
    throw new Error(`invalid SQLite synchronous mode: ${s}`)
  }
  return up
}

/** Kysely's view of a better-sqlite3 handle, reusing prepared statements and mapping booleans to 0/1. */
export function kyselySqliteAdapter(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>()
  const prepare = (sql: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sql)
    if (stmt) {
      // Refresh recency: Map iteration order is insertion order, so the first key is the least recent.
      cache.delete(sql)
    } else {
      stmt = db.prepare(sql)
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
    }
    cache.set(sql, stmt)
    return stmt
  }
  return {
    close: () => {
      cache.clear()
      db.close()
    },
    prepare: (sql: string): SqliteStatement => {
      const stmt = prepare(sql)
      return {
        reader: stmt.reader,
        all: (params) => stmt.all(...bindable(params)),
        run: (params) => stmt.run(...bindable(params)),
        iterate: (params) => stmt.iterate(...bindable(params)) as IterableIterator<unknown>,
      }
    },
  }
}

function bindable(params: ReadonlyArray<unknown>): unknown[] {
  const out = new Array(params.length)
  for (let i = 0; i < params.length; i++) {
    const p = params[i]
    out[i] = typeof p === 'boolean' ? (p ? 1 : 0) : p
  }
  return out
}
