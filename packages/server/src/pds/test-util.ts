/**
 * Test helpers for PDS tests (never imported by the service): a PLC directory and a PDS on loopback
 * port 0 in a fresh temporary data directory, logging silenced.
 *
 * The PLC directory is the official @did-plc/server (a devDependency) in memory: server/plc is a separate
 * service that pds code may not import (see packages/server/test/boundaries.test.ts), and the official
 * directory accepting our operations is itself a compatibility check. Cross-service tests on our own PLC
 * belong to the test network in server/dev.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Database as PlcDb, PlcServer } from '@did-plc/server'
import { type Pds, createPds } from './app.ts'
import type { PdsConfigInput } from './config.ts'
import type { ContextOptions } from './context.ts'

export interface TestPlc {
  url: string
  close(): Promise<void>
}

export async function startTestPlc(): Promise<TestPlc> {
  const server = PlcServer.create({ db: PlcDb.mock(), port: 0 })
  const http = await server.start()
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('PLC server did not bind a port')
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.destroy() }
}

export interface TestPds {
  pds: Pds
  plc: TestPlc
  url: string
  dataDir: string
  close(): Promise<void>
}

/** A started PDS (with its own PLC directory unless `plc` is given) in a temporary directory. */
export async function startTestPds(
  cfg: PdsConfigInput = {},
  opts: ContextOptions & { plc?: TestPlc } = {},
): Promise<TestPds> {
  const plc = opts.plc ?? (await startTestPlc())
  const dataDir = cfg.dataDir ?? mkdtempSync(join(tmpdir(), 'stratus-pds-'))
  const pds = await createPds(
    { hostname: 'localhost', port: 0, devMode: true, logLevel: 'silent', plcUrl: plc.url, dataDir, ...cfg },
    opts,
  )
  await pds.start()
  return {
    pds,
    plc,
    url: pds.url,
    dataDir,
    async close() {
      await pds.close()
      if (!opts.plc) await plc.close()
      if (!cfg.dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
