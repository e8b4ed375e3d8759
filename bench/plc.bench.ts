/**
 * PLC directory throughput over HTTP on loopback: operations accepted per second (each DID gets a
 * genesis op and 4 updates, posted in order; signature checks, validation and storage included;
 * client-side signing done beforehand) and DID documents resolved per second (GET /:did), on SQLite
 * and PostgreSQL, next to the reference @did-plc/server (PostgreSQL only) on the same load. The
 * same workload is also run in-process (PlcDirectory.submit / .document, no HTTP) to separate the
 * directory's own cost from the HTTP stack's: client and server share this process and its cores.
 */
import { PlcServer, Database as OfficialDatabase } from '@did-plc/server'
import { Agent, request as httpRequest } from 'node:http'
import pg from 'pg'
import { P256Keypair, Secp256k1Keypair } from '../packages/core/src/crypto/index.ts'
import * as plc from '../packages/core/src/plc/index.ts'
import { prng, randBytes } from '../packages/core/src/plc/test-util.ts'
import { openDatabase } from '../packages/server/src/db/index.ts'
import type { Database } from '../packages/server/src/db/index.ts'
import { openTestPostgres, pgTestUrl } from '../packages/server/src/db/test-util.ts'
import { serveFetch } from '../packages/server/src/http/index.ts'
import { PlcDirectory, createPlcHandler, openPlcStore } from '../packages/server/src/plc/index.ts'
import { type Measured, printComparison, printTable } from './lib.ts'

const DIDS = 400 // x 5 ops each
/** Keep-alive node:http client: undici's fetch costs more CPU per request than the server under test. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function request(method: 'GET' | 'POST', url: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
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
  let firstFailure = ''
  const start = performance.now()
  await pool(
    w.dids.map((did, i) => ({ did, chain: w.chains[i] })),
    CONCURRENCY,
    async ({ did, chain }) => {
      for (const op of chain) {
        const res = await request('POST', `${url}/${did}`, JSON.stringify(op))
        if (res.status !== 200) {
          failures++
          firstFailure ||= `${res.status} ${res.text.slice(0, 200)}`
        }
      }
    },
  )
  const elapsed = performance.now() - start
  const ops = DIDS * 5
  if (failures) process.stdout.write(`    (${name}: ${failures} of ${ops} posts failed, first: ${firstFailure})\n`)
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
        if ((await request('GET', `${url}/${did}`)).status === 200) n++
      }
    }),
  )
  const elapsed = performance.now() - start
  return { name, opsPerSec: (n * 1000) / elapsed, usPerOp: (elapsed * 1000) / Math.max(n, 1) }
}

/** The directory without HTTP: submit every op of `w` (same concurrency), then resolve for RESOLVE_MS / 2. */
async function inProcess(directory: PlcDirectory, w: Workload): Promise<[number, number]> {
  const start = performance.now()
  await pool(
    w.dids.map((did, i) => ({ did, chain: w.chains[i] })),
    CONCURRENCY,
    async ({ did, chain }) => {
      for (const op of chain) await directory.submit(did, op)
    },
  )
  const accepted = (DIDS * 5 * 1000) / (performance.now() - start)
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < RESOLVE_MS / 2) await directory.document(w.dids[n++ % w.dids.length])
  return [accepted, (n * 1000) / (performance.now() - t0)]
}

const inProcessRows: (string | number)[][] = []

async function ours(db: Database, w: Workload, label: string, seed: number): Promise<[Measured, Measured]> {
  const directory = await PlcDirectory.create(await openPlcStore(db), { rateLimits: false })
  const server = await serveFetch(createPlcHandler(directory), { port: 0 })
  try {
    const accepted = await postAll(server.url, w, `stratus ${label}`)
    const resolved = await resolveFor(server.url, w.dids, `stratus ${label}`)
    const [a, r] = await inProcess(directory, buildWorkload(seed))
    inProcessRows.push([`stratus ${label}`, a, r])
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
  add(await ours(openDatabase('sqlite::memory:'), buildWorkload(1), 'sqlite (memory)', 11))
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'plc-bench-'))
  try {
    add(await ours(openDatabase(`sqlite:${join(dir, 'plc.sqlite')}`), buildWorkload(2), 'sqlite (file, WAL)', 12))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  if (pgUrl) {
    const db = await openTestPostgres('plcbench')
    if (db) add(await ours(db, buildWorkload(3), 'postgres', 13))
    try {
      add(await official(pgUrl, buildWorkload(4)))
    } catch (err) {
      process.stdout.write(`    (@did-plc/server unavailable: ${(err as Error).message})\n`)
    }
  } else {
    process.stdout.write('    (PostgreSQL unavailable: postgres rows skipped)\n')
  }
  const load = `${DIDS} DIDs x (create + 4 updates), ${CONCURRENCY} DIDs at a time`
  const ref = accepted.find((m) => m.name.startsWith('@did-plc'))
  const refResolved = resolved.find((m) => m.name.startsWith('@did-plc'))
  for (const m of accepted) {
    if (m !== ref) printComparison(`ops accepted/s over HTTP (${load})`, ref ? [m, ref] : [m])
  }
  for (const m of resolved) {
    if (m !== refResolved) {
      printComparison(
        `DID documents resolved/s over HTTP (GET /:did, ${CONCURRENCY} concurrent)`,
        refResolved ? [m, refResolved] : [m],
      )
    }
  }
  printTable('in-process, no HTTP (same workload)', ['store', 'ops accepted/s', 'documents/s'], inProcessRows)
}
