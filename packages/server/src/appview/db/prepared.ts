/**
 * Prepared statements for hot paths, written once as Kysely builders. The builder is compiled once per
 * dialect with placeholder values; each call substitutes the arguments and runs the SQL directly — through
 * the synchronous better-sqlite3 handle on SQLite (which shares the connection, hence the transaction, of
 * the Kysely instance), through the given Kysely instance (transaction) on PostgreSQL. This skips Kysely's
 * per-call building and compiling, which costs more than SQLite's own work for small statements.
 *
 * Only for statements with a fixed shape. A variable-length list is one argument: write the condition with
 * `inList` (json_each on SQLite, = any(array) on PostgreSQL) and pass a JS array.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely'
import type { AppViewSchema } from './schema.ts'

export interface StatementCtx {
  db: Kysely<AppViewSchema>
  dialect: 'sqlite' | 'postgres'
  /** The raw SQLite handle (SQLite only). */
  sqlite?: BetterSqlite3.Database
  /** Writes held back (the indexer on PostgreSQL): sent before any other statement runs on this context. */
  pending?: { readonly size: number; flush(): Promise<void> }
}

type Slot = { arg: number } | { value: unknown }

interface Compiled {
  sql: string
  slots: Slot[]
  /** Prepared per SQLite handle (one AppView process may open several databases). */
  stmts: WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>
  /** The SQLITE_ROWS-row form (null: not a plain `insert … values`). */
  multi: WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement | null>
}

const MARK = '\u0000stratus-arg-'

export interface Prepared<R> {
  /** Rows (for statements that return rows). */
  all(ctx: StatementCtx, args: unknown[]): Promise<R[]>
  /** Rows changed. */
  run(ctx: StatementCtx, args: unknown[]): Promise<number>
  /**
   * Runs the statement once per argument list. An `insert … values (…)` goes as multi-row inserts: on
   * PostgreSQL one round trip per few thousand rows, on SQLite one statement per SQLITE_ROWS rows (the
   * per-statement cost is a good part of a small insert's); anything else is a loop.
   */
  runMany(ctx: StatementCtx, rows: unknown[][]): Promise<void>
}

/** PostgreSQL's limit on parameters per statement is 65535. */
const MAX_PG_PARAMS = 60_000
/** Rows per multi-row insert on SQLite (at most 32766 parameters; gains flatten out well before). */
const SQLITE_ROWS = 64

/** `insert … values ($1, …, $n) [rest]` → the same with `rows` tuples, parameters renumbered. */
function multiRowSql(sql: string, params: number, rows: number): string | undefined {
  const start = sql.indexOf(' values (')
  if (!sql.startsWith('insert into ') || start < 0) return undefined
  const open = start + ' values '.length
  let depth = 0
  let close = -1
  for (let i = open; i < sql.length && close < 0; i++) {
    if (sql[i] === '(') depth++
    else if (sql[i] === ')' && --depth === 0) close = i
  }
  if (close < 0) return undefined
  const tuple = sql.slice(open, close + 1)
  const tuples: string[] = new Array(rows)
  for (let r = 0; r < rows; r++) tuples[r] = tuple.replace(/\$(\d+)/g, (_, n) => `$${Number(n) + r * params}`)
  return `${sql.slice(0, open)}${tuples.join(', ')}${sql.slice(close + 1)}`
}

/** SQLite has no booleans and no arrays: 0/1, and lists as JSON (for json_each). */
function sqliteValue(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 1 : 0) : Array.isArray(v) ? JSON.stringify(v) : v
}

/** `column IN <the list passed as argument i>`, one statement whatever the list's length. */
export function inList(dialect: 'sqlite' | 'postgres', column: string, arg: string): RawBuilder<boolean> {
  return dialect === 'sqlite'
    ? sql<boolean>`${sql.ref(column)} in (select value from json_each(${arg}))`
    : sql<boolean>`${sql.ref(column)} = any(${arg}::text[])`
}

/**
 * `build(db, arg, dialect)` returns a builder whose parameters are `arg(0)`, `arg(1)`, … (or constants).
 * Array arguments are lists for `inList`.
 */
export function prepared<R = Record<string, unknown>>(
  build: (
    db: Kysely<AppViewSchema>,
    arg: (i: number) => string,
    dialect: 'sqlite' | 'postgres',
  ) => Compilable | RawBuilder<unknown>,
): Prepared<R> {
  const byDialect = new Map<string, Compiled>()
  const compiled = (ctx: StatementCtx): Compiled => {
    let c = byDialect.get(ctx.dialect)
    if (!c) {
      const b = build(ctx.db, (i) => `${MARK}${i}`, ctx.dialect)
      const q = 'isRawBuilder' in b ? b.compile(ctx.db) : b.compile()
      const slots = q.parameters.map((p): Slot => {
        if (typeof p === 'string' && p.startsWith(MARK)) return { arg: Number(p.slice(MARK.length)) }
        return { value: p }
      })
      c = { sql: q.sql, slots, stmts: new WeakMap(), multi: new WeakMap() }
      byDialect.set(ctx.dialect, c)
    }
    return c
  }
  const params = (c: Compiled, args: unknown[], sqlite: boolean): unknown[] =>
    c.slots.map((s) => {
      const v = 'arg' in s ? args[s.arg] : s.value
      return sqlite ? sqliteValue(v) : v
    })
  const exec = async (ctx: StatementCtx, args: unknown[]): Promise<QueryResult<R> | { rows: R[]; changes: number }> => {
    if (ctx.pending && ctx.pending.size > 0) await ctx.pending.flush()
    const c = compiled(ctx)
    if (ctx.sqlite) {
      let stmt = c.stmts.get(ctx.sqlite)
      if (!stmt) {
        stmt = ctx.sqlite.prepare(c.sql)
        c.stmts.set(ctx.sqlite, stmt)
      }
      const p = params(c, args, true)
      if (stmt.reader) return { rows: stmt.all(...p) as R[], changes: 0 }
      return { rows: [], changes: stmt.run(...p).changes }
    }
    return ctx.db.executeQuery<R>(CompiledQuery.raw(c.sql, params(c, args, false)))
  }
  return {
    all: async (ctx, args) => (await exec(ctx, args)).rows,
    run: async (ctx, args) => {
      const r = await exec(ctx, args)
      if ('changes' in r) return r.changes
      return Number(r.numAffectedRows ?? 0n)
    },
    runMany: async (ctx, rows) => {
      const c = compiled(ctx)
      const perRow = c.slots.length
      if (ctx.sqlite) {
        if (ctx.pending && ctx.pending.size > 0) await ctx.pending.flush()
        let multi = c.multi.get(ctx.sqlite)
        if (multi === undefined) {
          const text = multiRowSql(c.sql, perRow, SQLITE_ROWS) // (`?` placeholders: tuples repeat as they are)
          multi = text ? ctx.sqlite.prepare(text) : null
          c.multi.set(ctx.sqlite, multi)
        }
        let i = 0
        if (multi) {
          const values: unknown[] = new Array(perRow * SQLITE_ROWS)
          const slots = c.slots
          for (; i + SQLITE_ROWS <= rows.length; i += SQLITE_ROWS) {
            let k = 0
            for (let r = i; r < i + SQLITE_ROWS; r++) {
              const args = rows[r]
              for (let j = 0; j < perRow; j++) {
                const s = slots[j]
                values[k++] = sqliteValue('arg' in s ? args[s.arg] : s.value)
              }
            }
            multi.run(values)
          }
        }
        for (; i < rows.length; i++) await exec(ctx, rows[i])
        return
      }
      const chunk = Math.max(1, Math.floor(MAX_PG_PARAMS / Math.max(1, perRow)))
      if (!multiRowSql(c.sql, perRow, 1)) {
        for (const args of rows) await exec(ctx, args)
        return
      }
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk)
        const text = multiRowSql(c.sql, perRow, part.length) as string
        const values: unknown[] = []
        for (const args of part) for (const v of params(c, args, false)) values.push(v)
        await ctx.db.executeQuery(CompiledQuery.raw(text, values))
      }
    },
  }
}
