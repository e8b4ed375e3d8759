/**
 * `openDatabase(url)`: one entry point for every service's storage. 'sqlite:<path>' and 'sqlite::memory:'
 * open better-sqlite3 (see sqlite.ts for pragmas and durability); 'postgres://' / 'postgresql://' open a
 * pg pool (see postgres.ts for schemas). Both come back as a Kysely instance plus the raw handle, so hot
 * paths can use synchronous better-sqlite3 statements directly.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type pg from 'pg'
import { closePostgresPool, openPostgresPool, splitSchemaParam, type PostgresOptions } from './postgres.ts'
import { kyselySqliteAdapter, openSqliteHandle, type SqliteOptions } from './sqlite.ts'

export type Dialect = 'sqlite' | 'postgres'

export interface Database {
  // each service types its own tables on top of this handle
  kysely: Kysely<any>
  dialect: Dialect
  /** The better-sqlite3 handle (SQLite only): synchronous, for hot paths. Shares Kysely's connection. */
  sqlite?: BetterSqlite3.Database
  /** The pg pool (PostgreSQL only). */
  pool?: pg.Pool
  /** PostgreSQL schema in use, if any. */
  schema?: string
  close(): Promise<void>
}

export type OpenDatabaseOptions = SqliteOptions & PostgresOptions

/**
 * Opens a database by URL: 'sqlite:/path/file.db', 'sqlite::memory:' or 'postgres://user@host:port/db[?schema=x]'.
 * Synchronous: SQLite opens immediately (errors throw here); PostgreSQL connects on first use.
 */
export function openDatabase(url: string, opts: OpenDatabaseOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(sqlitePath(url), opts)
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, opts)
  throw new Error(`unsupported database URL (want sqlite:<path> or postgres://…): ${redact(url)}`)
}

function sqlitePath(url: string): string {
  let path = url.slice('sqlite:'.length)
  if (path.startsWith('//')) path = path.slice(2)
  if (path === '') throw new Error('sqlite URL has no path (use sqlite::memory: for an in-memory database)')
  return path
}

function openSqlite(path: string, opts: SqliteOptions): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const handle = openSqliteHandle(path, opts)
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: kyselySqliteAdapter(handle) }) })
  let closed: Promise<void> | undefined
  return {
    kysely,
    dialect: 'sqlite',
    sqlite: handle,
    close: () => {
      closed ??= kysely.destroy().then(() => {
        // Kysely only closes the handle if it ever ran a query.
        if (handle.open) handle.close()
      })
      return closed
    },
  }
}

function openPostgres(rawUrl: string, opts: PostgresOptions): Database {
  const { url, schema: urlSchema } = splitSchemaParam(rawUrl)
  const pgOpts = { ...opts, schema: opts.schema ?? urlSchema }
  const pool = openPostgresPool(url, pgOpts)
  // Kysely's destroy() would end the pool; we end it ourselves after an optional DROP SCHEMA.
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: nonEndingPool(pool) }) })
  let closed: Promise<void> | undefined
  return {
    kysely,
    dialect: 'postgres',
    pool,
    schema: pgOpts.schema,
    close: () => {
      closed ??= kysely.destroy().then(() => closePostgresPool(pool, pgOpts))
      return closed
    },
  }
}

function nonEndingPool(pool: pg.Pool): pg.Pool {
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'end') return async () => {}
      const v = Reflect.get(target, prop, receiver)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}
