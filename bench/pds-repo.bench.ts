/**
 * PDS record writes and reads through HTTP with the official client (@atproto/api AtpAgent), ours vs the
 * official @atproto/pds (TestNetworkNoAppView from @atproto/dev-env). Each PDS runs in its own child process
 * (bench/pds-repo-server.ts) so the client's CPU is not charged to it; the table gives requests/s seen by
 * the client and the server process's CPU time per request (from /proc). Both keep their default
 * durability (SQLite WAL, synchronous=NORMAL: an acknowledged write survives kill -9) and run with rate
 * limits off. Rows: createRecord sequential on one account, createRecord with 8 concurrent writers on 8
 * accounts, getRecord sequential. Runs alternate between the two servers so background load hits both.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { AtpAgent } from '@atproto/api'
import { printTable } from './lib.ts'

const ROUNDS = 3
const WRITES = Number(process.env.PDS_BENCH_WRITES ?? 300)
const READS = Number(process.env.PDS_BENCH_READS ?? 500)
const WRITERS = 8

interface Server {
  name: string
  url: string
  child: ChildProcess
}

async function startServer(which: 'ours' | 'official'): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./pds-repo-server.ts', import.meta.url).pathname, which],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_ENABLED: 'false' },
    },
  )
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of lines) {
    if (line.startsWith('{"url"'))
      return { name: which === 'ours' ? 'stratus pds' : '@atproto/pds', url: JSON.parse(line).url, child }
  }
  throw new Error(`${which} PDS did not start`)
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

let accounts = 0
async function newAgent(service: string): Promise<AtpAgent> {
  const agent = new AtpAgent({ service })
  const name = `b${++accounts}x${Date.now() % 100000}`
  await agent.createAccount({ handle: `${name}.test`, email: `${name}@example.com`, password: 'bench-password' })
  return agent
}

async function writeMany(agent: AtpAgent, n: number, uris?: string[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await agent.post({ text: `bench post ${i}`, createdAt: new Date().toISOString() })
    uris?.push(res.uri)
  }
}

async function readMany(agent: AtpAgent, uris: string[], n: number): Promise<void> {
  const repo = agent.session?.did as string
  for (let i = 0; i < n; i++) {
    const rkey = uris[(i * 7919) % uris.length].split('/').pop() as string
    await agent.com.atproto.repo.getRecord({ repo, collection: 'app.bsky.feed.post', rkey })
  }
}

interface Tally {
  ops: number
  ms: number
  cpu: number
}

async function timed(server: Server, tally: Tally, ops: number, fn: () => Promise<void>): Promise<void> {
  const pid = server.child.pid as number
  const c0 = cpuSeconds(pid)
  const t0 = performance.now()
  await fn()
  tally.ms += performance.now() - t0
  tally.cpu += cpuSeconds(pid) - c0
  tally.ops += ops
}

export default async function () {
  const servers = [await startServer('ours'), await startServer('official')]
  try {
    const rows = [
      'createRecord, 1 writer',
      `createRecord, ${WRITERS} writers / ${WRITERS} repos`,
      'getRecord, sequential',
    ]
    const tallies = servers.map(() => rows.map(() => ({ ops: 0, ms: 0, cpu: 0 })))
    const agents = await Promise.all(servers.map((s) => newAgent(s.url)))
    const crowds = await Promise.all(
      servers.map((s) => Promise.all(Array.from({ length: WRITERS }, () => newAgent(s.url)))),
    )
    const uris: string[][] = servers.map(() => [])
    for (const [i] of servers.entries()) await writeMany(agents[i], 20, uris[i])
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, s] of servers.entries()) {
        await timed(s, tallies[i][0], WRITES, () => writeMany(agents[i], WRITES, uris[i]))
        const per = Math.ceil(WRITES / WRITERS)
        await timed(s, tallies[i][1], per * WRITERS, async () => {
          await Promise.all(crowds[i].map((a) => writeMany(a, per)))
        })
        await timed(s, tallies[i][2], READS, () => readMany(agents[i], uris[i], READS))
      }
    }
    const table: (string | number)[][] = []
    for (const [r, row] of rows.entries()) {
      const [ours, official] = tallies.map((t) => t[r])
      const rate = (t: Tally) => (t.ops * 1000) / t.ms
      const cpu = (t: Tally) => (t.cpu * 1e6) / t.ops
      table.push([
        row,
        rate(ours),
        rate(official),
        `×${(rate(ours) / rate(official)).toFixed(2)}`,
        cpu(ours),
        cpu(official),
        `×${(cpu(official) / cpu(ours)).toFixed(2)}`,
      ])
    }
    printTable(
      `PDS over HTTP with @atproto/api (${ROUNDS} rounds; server CPU from /proc)`,
      ['row', 'ours req/s', 'official req/s', 'ratio', 'ours CPU µs/req', 'official CPU µs/req', 'CPU ratio'],
      table,
    )
  } finally {
    for (const s of servers) s.child.kill('SIGTERM')
  }
}
