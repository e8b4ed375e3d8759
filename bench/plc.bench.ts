/**
 * PLC directory throughput over HTTP on loopback: operations accepted per second (each DID gets a
 * genesis op and 4 updates, posted in order; signature checks, validation and storage included;
 * client-side signing done beforehand) and DID documents resolved per second (GET /:did), on SQLite
 * and PostgreSQL, next to the reference @did-plc/server (PostgreSQL only) on the same load.
 */
import { PlcServer, Database as OfficialDatabase } from '@did-plc/server'
import pg from 'pg'
import { P256Keypair, Secp256k1Keypair } from '../packages/core/src/crypto/index.ts'
import * as plc from '../packages/core/src/plc/index.ts'
import { prng, randBytes } from '../packages/core/src/plc/test-util.ts'
import { openDatabase } from '../packages/server/src/db/index.ts'
import type { Database } from '../packages/server/src/db/index.ts'
import { openTestPostgres, pgTestUrl } from '../packages/server/src/db/test-util.ts'
import { serveFetch } from '../packages/server/src/http/index.ts'
import { PlcDirectory, createPlcHandler, openPlcStore } from '../packages/server/src/plc/index.ts'
import { type Measured, printComparison } from './lib.ts'

const DIDS = 400 // x 5 ops each
const CONCURRENCY = 16
const RESOLVE_MS = 2000

interface Workload {
  dids: string[]
  /** Per DID, its 5 signed ops in order. */
  chains: plc.OpOrTombstone[][]
}

function buildWorkload(seed: number): Workload {
  const rand = prng(seed)
  const key = (k: boolean) => {
    const b = randBytes(rand, 32)
    b[0] &= 0x7f
    return k ? Secp256k1Keypair.import(b) : P256Keypair.import(b)
  }
  const rotation = [key(false), key(true)]
  const signing = key(true)
  const dids: string[] = []
  const chains: plc.OpOrTombstone[][] = []
  for (let i = 0; i < DIDS; i++) {
    const { op, did } = plc.createOp({
      signingKey: signing.did(),
      handle: `user${seed}-${i}.test`,
      pds: 'https://pds.test',
      rotationKeys: rotation.map((k) => k.did()),
      signer: rotation[i % 2],
    })
    const chain: plc.Operation[] = [op]
    for (let u = 0; u < 4; u++) {
      const last = chain[chain.length - 1]
      const s = rotation[(i + u) % 2]
      chain.push(
        u % 2
          ? plc.updatePdsOp(last, s, `https://pds${u}.test`)
          : plc.updateHandleOp(last, s, `user${seed}-${i}-${u}.test`),
      )
    }
    dids.push(did)
    chains.push(chain)
  }
  return { dids, chains }
}

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++])
    }),
  )
}

async function postAll(url: string, w: Workload, name: string): Promise<Measured> {
  let failures = 0
  const start = performance.now()
  await pool(
    w.dids.map((did, i) => ({ did, chain: w.chains[i] })),
    CONCURRENCY,
    async ({ did, chain }) => {
      for (const op of chain) {
        const res = await fetch(`${url}/${did}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(op),
        })
        await res.arrayBuffer()
        if (res.status !== 200) failures++
      }
    },
  )
  const elapsed = performance.now() - start
  const ops = DIDS * 5
  if (failures) process.stdout.write(`    (${name}: ${failures} of ${ops} posts failed)\n`)
  return { name, opsPerSec: ((ops - failures) * 1000) / elapsed, usPerOp: (elapsed * 1000) / ops }
}

async function resolveFor(url: string, dids: string[], name: string): Promise<Measured> {
  let n = 0
  let i = 0
  const end = performance.now() + RESOLVE_MS
  const start = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const did = dids[i++ % dids.length]
        const res = await fetch(`${url}/${did}`)
        await res.arrayBuffer()
        if (res.status === 200) n++
      }
    }),
  )
  const elapsed = performance.now() - start
  return { name, opsPerSec: (n * 1000) / elapsed, usPerOp: (elapsed * 1000) / Math.max(n, 1) }
}

async function ours(db: Database, w: Workload, label: string): Promise<[Measured, Measured]> {
  const directory = await PlcDirectory.create(await openPlcStore(db), { rateLimits: false })
  const server = await serveFetch(createPlcHandler(directory), { port: 0 })
  try {
    const accepted = await postAll(server.url, w, `stratus ${label}`)
    const resolved = await resolveFor(server.url, w.dids, `stratus ${label}`)
    return [accepted, resolved]
  } finally {
    await server.close()
    await db.close()
  }
}

async function official(pgUrl: string, w: Workload): Promise<[Measured, Measured]> {
  const schema = `benchplcofficial${Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`
  const db = OfficialDatabase.postgres({ url: pgUrl, schema })
  await db.migrateToLatestOrThrow()
  const server = PlcServer.create({ db, port: 0 })
  const http = await server.start()
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`
  try {
    return [
      await postAll(url, w, '@did-plc/server postgres'),
      await resolveFor(url, w.dids, '@did-plc/server postgres'),
    ]
  } finally {
    await server.destroy()
    const client = new pg.Client({ connectionString: pgUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  }
}

export default async function () {
  const pgUrl = await pgTestUrl()
  const accepted: Measured[] = []
  const resolved: Measured[] = []
  const add = ([a, r]: [Measured, Measured]) => {
    accepted.push(a)
    resolved.push(r)
  }
  add(await ours(openDatabase('sqlite::memory:'), buildWorkload(1), 'sqlite (memory)'))
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'plc-bench-'))
  try {
    add(await ours(openDatabase(`sqlite:${join(dir, 'plc.sqlite')}`), buildWorkload(2), 'sqlite (file, WAL)'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  if (pgUrl) {
    const db = await openTestPostgres('plcbench')
    if (db) add(await ours(db, buildWorkload(3), 'postgres'))
    try {
      add(await official(pgUrl, buildWorkload(4)))
    } catch (err) {
      process.stdout.write(`    (@did-plc/server unavailable: ${(err as Error).message})\n`)
    }
  } else {
    process.stdout.write('    (PostgreSQL unavailable: postgres rows skipped)\n')
  }
  printComparison(
    `ops accepted/s over HTTP (${DIDS} DIDs x (create + 4 updates), ${CONCURRENCY} concurrent DIDs)`,
    accepted,
  )
  printComparison(`DID documents resolved/s over HTTP (GET /:did, ${CONCURRENCY} concurrent)`, resolved)
}
