/**
 * PostgreSQL for tests. `pgTestUrl()` answers the agreed rule: the test database at 127.0.0.1:5432 (or
 * $PG_TEST_URL) if it answers a query; if not and CI is set, throw (CI must not silently skip); otherwise
 * undefined after printing a visible skip notice. `openTestPostgres(suite)` gives each suite its own schema
 * (random suffix, so concurrent runs of the same suite on one server do not collide), dropped on close.
 *
 *   const pgUrl = await pgTestUrl()
 *   describe.skipIf(!pgUrl)('thing on postgres', () => { ... openTestPostgres('thing') ... })
 */
import pg from 'pg'
import { openDatabase, type Database, type OpenDatabaseOptions } from './open.ts'

export const DEFAULT_PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/test'

let probe: Promise<string | undefined> | undefined

/** The PostgreSQL test URL if reachable; throws when unreachable under CI; undefined (with a notice) otherwise. */
export function pgTestUrl(): Promise<string | undefined> {
  probe ??= resolvePgTestUrl(process.env.PG_TEST_URL || DEFAULT_PG_TEST_URL, isCi())
  return probe
}

/** The rule behind pgTestUrl, uncached: `url` if it answers, else throw under CI, else undefined with a notice. */
export async function resolvePgTestUrl(
  url: string,
  ci: boolean,
  notice: (line: string) => void = (line) => process.stderr.write(`\n${line}\n`),
): Promise<string | undefined> {
  const error = await reachable(url)
  if (error === undefined) return url
  const where = url.replace(/\/\/[^@/]*@/, '//')
  if (ci) throw new Error(`PostgreSQL test database ${where} is unreachable and CI is set: ${error}`)
  notice(`[stratus] SKIPPING PostgreSQL tests: ${where} unreachable (${error}); set CI=1 to fail instead`)
  return undefined
}

function isCi(): boolean {
  const ci = process.env.CI
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (err) {
    return (err as Error).message || String(err)
  } finally {
    await client.end().catch(() => {})
  }
}

/** A schema name of letters only: the suite name's letters plus a random suffix. */
export function testSchemaName(suite: string): string {
  const base =
    suite
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .slice(0, 40) || 'suite'
  let suffix = ''
  for (let i = 0; i < 10; i++) suffix += String.fromCharCode(97 + Math.floor(Math.random() * 26))
  return `t${base}${suffix}`
}

/** Opens the test database confined to a fresh schema for `suite`, dropped on close; undefined if unavailable. */
export async function openTestPostgres(suite: string, opts: OpenDatabaseOptions = {}): Promise<Database | undefined> {
  const url = await pgTestUrl()
  if (url === undefined) return undefined
  return openDatabase(url, { ...opts, schema: testSchemaName(suite), dropSchemaOnClose: true })
}
