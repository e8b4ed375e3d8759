/**
 * Running the directory: open the database by URL (sqlite:… or postgres://…), migrate, build the
 * directory and its fetch handler, and serve it over node:http.
 */
import { openDatabase } from '../db/index.ts'
import { serveFetch } from '../http/index.ts'
import type { PlcDirectoryOptions } from './directory.ts'
import { PlcDirectory } from './directory.ts'
import type { FetchHandler, PlcHandlerOptions } from './handler.ts'
import { createPlcHandler } from './handler.ts'
import { openPlcStore } from './open-store.ts'

export interface PlcServerOptions extends PlcDirectoryOptions, PlcHandlerOptions {
  port: number
  host?: string
  /** 'sqlite:/path/plc.sqlite', 'sqlite::memory:' or 'postgres://user@host:5432/db[?schema=name]'. */
  dbUrl: string
}

export interface RunningPlcServer {
  url: string
  port: number
  directory: PlcDirectory
  handler: FetchHandler
  close(): Promise<void>
}

/** Opens a directory (store + logic) on a database URL. */
export async function openPlcDirectory(dbUrl: string, opts: PlcDirectoryOptions = {}): Promise<PlcDirectory> {
  const db = openDatabase(dbUrl)
  try {
    return await PlcDirectory.create(await openPlcStore(db), opts)
  } catch (err) {
    await db.close()
    throw err
  }
}

export async function startPlcServer(opts: PlcServerOptions): Promise<RunningPlcServer> {
  const directory = await openPlcDirectory(opts.dbUrl, opts)
  const handler = createPlcHandler(directory, opts)
  let server: Awaited<ReturnType<typeof serveFetch>>
  try {
    server = await serveFetch(handler, { port: opts.port, host: opts.host })
  } catch (err) {
    await directory.store.close()
    throw err
  }
  return {
    url: server.url,
    port: server.port,
    directory,
    handler,
    close: async () => {
      await server.close()
      await directory.store.close()
    },
  }
}
