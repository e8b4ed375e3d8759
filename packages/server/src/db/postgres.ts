/**
 * PostgreSQL through a pg pool. Optionally confines every connection of the pool to one schema (created
 * on first use, optionally dropped on close), so several services or test suites can share one database
 * without seeing each other's tables. The search_path is a connection startup parameter, so it holds on
 * every pooled connection, including ones opened later or used directly through `pool`.
 *
 * int8 columns (COUNT(*), BIGSERIAL sequence numbers) come back as JS numbers when they are safe integers
 * and as strings otherwise; pg's default is always a string.
 */
import pg from 'pg'

export interface PostgresOptions {
  /** Schema for all unqualified names; letters, digits and '_' only, starting with a letter or '_'. */
  schema?: string
  /** Drop the schema (CASCADE) when the database is closed: for tests. */
  dropSchemaOnClose?: boolean
  /** Maximum pool size. Default 10. */
  poolSize?: number
  /** Errors of idle pooled connections (the server went away); the next checkout reconnects. */
  onError?: (err: Error) => void
}

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/

/** Throws unless `name` is a schema name we can use unquoted and safely inside a startup option. */
export function assertSchemaName(name: string): void {
  if (!SCHEMA_RE.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}: use [a-z_][a-z0-9_]*`)
}

const INT8_OID = 20

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') {
      return (v: string) => {
        const n = Number(v)
        return Number.isSafeInteger(n) ? n : v
      }
    }
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text')
  },
}

/** Splits `?schema=name` out of a postgres URL (so one config string can carry it). */
export function splitSchemaParam(url: string): { url: string; schema?: string } {
  const u = new URL(url)
  const schema = u.searchParams.get('schema') ?? undefined
  u.searchParams.delete('schema')
  return { url: u.toString(), schema }
}

/**
 * Creates the pool synchronously. With a schema, the first checkout first creates the schema (once; retried
 * after a failure) and every connection's search_path is pinned to it.
 */
export function openPostgresPool(url: string, opts: PostgresOptions = {}): pg.Pool {
  const { schema } = opts
  if (schema !== undefined) assertSchemaName(schema)
  const config = { ...withSearchPath(url, schema), max: opts.poolSize ?? 10, types }
  const pool = schema === undefined ? new pg.Pool(config) : new SchemaPool(config, () => createSchema(url, schema))
  // An idle client losing its server connection emits 'error' on the pool; without a listener that
  // would crash the process. The next checkout simply opens a new connection.
  pool.on('error', (err) => opts.onError?.(err))
  return pool
}

async function createSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  try {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  } catch (err) {
    // Two processes racing on IF NOT EXISTS can still collide on the catalog's unique index.
    const code = (err as { code?: string }).code
    if (code !== '42P06' && code !== '23505') throw err
  } finally {
    await admin.end()
  }
}

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void

/** A pool whose checkouts (including the ones pool.query makes) wait for an async setup step first. */
class SchemaPool extends pg.Pool {
  #setup: () => Promise<void>
  #ready: Promise<void> | undefined

  constructor(config: pg.PoolConfig, setup: () => Promise<void>) {
    super(config)
    this.#setup = setup
  }

  #whenReady(): Promise<void> {
    this.#ready ??= this.#setup().catch((err) => {
      this.#ready = undefined
      throw err
    })
    return this.#ready
  }

  override connect(): Promise<pg.PoolClient>
  override connect(cb: ConnectCallback): void
  override connect(cb?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const ready = this.#whenReady()
    if (cb) {
      ready.then(
        () => super.connect(cb),
        (err) => cb(err, undefined, () => {}),
      )
      return undefined
    }
    return ready.then(() => super.connect())
  }
}

/** Connection config whose startup `options` pin the search_path (merged with any `options` in the URL). */
function withSearchPath(url: string, schema?: string): { connectionString: string; options?: string } {
  if (schema === undefined) return { connectionString: url }
  const u = new URL(url)
  // pg lets URL parameters override explicit config, so move any URL `options` into ours.
  const existing = u.searchParams.get('options')
  u.searchParams.delete('options')
  const options = `${existing ? `${existing} ` : ''}-c search_path=${schema}`
  return { connectionString: u.toString(), options }
}

/** Ends the pool, dropping the schema first when asked to. */
export async function closePostgresPool(pool: pg.Pool, opts: PostgresOptions = {}): Promise<void> {
  try {
    if (opts.schema !== undefined && opts.dropSchemaOnClose) {
      await pool.query(`DROP SCHEMA IF EXISTS ${opts.schema} CASCADE`)
    }
  } finally {
    await pool.end()
  }
}
