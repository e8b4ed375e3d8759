/**
 * Shared setup for the directory's tests and bench: a directory over SQLite (memory or file) or a
 * fresh PostgreSQL schema, served on a loopback port, with a controllable clock.
 * Not used by the service itself.
 */
import { openDatabase } from '../db/index.ts'
import type { Database } from '../db/index.ts'
import { openTestPostgres } from '../db/test-util.ts'
import { serveFetch } from '../http/index.ts'
import type { PlcDirectoryOptions } from './directory.ts'
import { PlcDirectory } from './directory.ts'
import { createPlcHandler } from './handler.ts'
import { openPlcStore } from './open-store.ts'

export type Backend = 'sqlite' | 'postgres'

export interface TestDirectory {
  url: string
  directory: PlcDirectory
  clock: { now: number }
  close(): Promise<void>
}

/** Opens the backing database; undefined when PostgreSQL is unavailable (tests then skip). */
export async function openBackend(
  backend: Backend,
  suite: string,
  sqlitePath = ':memory:',
): Promise<Database | undefined> {
  if (backend !== 'postgres') return openDatabase(`sqlite:${sqlitePath}`)
  return openTestPostgres(suite)
}

/** A served directory; `clock.now` drives its timestamps unless `realClock`. */
export async function startTestDirectory(
  db: Database,
  opts: PlcDirectoryOptions & { realClock?: boolean } = {},
): Promise<TestDirectory> {
  const clock = { now: Date.parse('2024-01-01T00:00:00.000Z') }
  const directory = await PlcDirectory.create(await openPlcStore(db), {
    ...opts,
    now: opts.realClock ? undefined : () => clock.now,
  })
  const served = await serveFetch(createPlcHandler(directory), { port: 0, host: '127.0.0.1' })
  return {
    url: served.url,
    directory,
    clock,
    close: async () => {
      await served.close()
      await db.close()
    },
  }
}
