/**
 * PDS API side by side: ours vs the official @atproto/pds (TestNetworkNoAppView from @atproto/dev-env), same
 * machine, same @atproto/api AtpAgent load, rate limits off on both. Each PDS (with its own PLC directory) runs
 * in its own child process (bench/pds-repo-server.ts), so the client's CPU is not charged to it and RSS is the
 * server process's own (VmRSS / VmHWM from /proc after all rows). Rows run for a time budget each, alternating
 * ours / official per row so background load hits both alike: createRecord with 1 writer, 8 writers on one
 * repo, 8 writers on 8 repos; getRecord sequential and with 8 concurrent readers; getRepo export of an N-record repo (built with applyWrites
 * batches of 200; N = BENCH_PDS_RECORDS, default 10000); subscribeRepos replay from cursor 0 with `ws`
 * (frames counted until none arrive for IDLE_MS; the idle wait is not counted). Each rate row is preceded on
 * each side by BENCH_PDS_WARMUP seconds (default 2) of its own operation, untimed. Ratios are ours / official
 * for rates, official / ours for times and memory (so > 1 always means ours is better). CPU columns: the
 * server process's (from /proc) and this client process's, per operation.
 *
 * The client is the same for both: AtpAgent over a keep-alive node:http fetch (bench/http-fetch.ts), since
 * undici's fetch costs the client more CPU per call than our server spends on a getRecord, which made the
 * sequential rows measure the client. It also moves the getRepo row: undici read the official PDS's chunked
 * CAR stream at a fraction of the speed, which had inflated that ratio several times over.
 * BENCH_PDS_FETCH=undici runs with the default fetch instead.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { AtpAgent } from '@atproto/api'
import { WebSocket } from 'ws'
import { nodeFetch } from './http-fetch.ts'
import { printTable } from './lib.ts'

const SECONDS = Number(process.env.BENCH_PDS_SECONDS ?? 6)
// Untimed run of each row's own operation just before its timed run, on each side alike, so the rows measure
// steady state rather than V8 tiering up the newly hot code.
const WARMUP = Number(process.env.BENCH_PDS_WARMUP ?? 2)
const RECORDS = Number(process.env.BENCH_PDS_RECORDS ?? 10_000)
const WRITERS = 8
const BATCH = 200
const IDLE_MS = 1500
const COLLECTION = 'app.bsky.feed.post'
const FETCH = process.env.BENCH_PDS_FETCH === 'undici' ? 'undici' : 'node:http'
// One fetch (one socket pool) per server, shared by its agents, as one client machine would.
const fetchFor = new Map<string, typeof fetch | undefined>()

interface Server {
  name: string
  url: string
  child: ChildProcess
}

async function startServer(which: 'ours' | 'official'): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./pds-repo-server.ts', import.meta.url).pathname, which],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_ENABLED: 'false' } },
  )
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  for await (const line of lines) {
    if (line.startsWith('{"url"')) return { name: which, url: JSON.parse(line).url, child }
  }
  throw new Error(`${which} PDS did not start`)
}

function procStatus(pid: number, key: string): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

let accounts = 0
async function newAgent(service: string): Promise<AtpAgent> {
  if (!fetchFor.has(service)) fetchFor.set(service, FETCH === 'undici' ? undefined : nodeFetch())
  const agent = new AtpAgent({ service, fetch: fetchFor.get(service) })
  const name = `p${++accounts}x${Date.now() % 100000}`
  await agent.createAccount({ handle: `${name}.test`, email: `${name}@example.com`, password: 'bench-password' })
  return agent
}

const post = (i: number) => ({ $type: COLLECTION, text: `bench post ${i}`, createdAt: new Date().toISOString() })
const didOf = (a: AtpAgent) => a.session?.did as string

interface Rate {
  ops: number
  errors: number
  ms: number
  cpu: number
  /** This (client) process's CPU seconds. */
  client: number
  p50: number
}

/** Runs `workers` loops of `op` for `seconds`; returns ops/s, server CPU µs/op and the median latency. */
async function timed(
  server: Server,
  workers: number,
  op: (w: number, i: number) => Promise<unknown>,
  seconds = SECONDS,
): Promise<Rate> {
  const pid = server.child.pid as number
  const lat: number[] = []
  let ops = 0
  let errors = 0
  let seq = 0
  const c0 = cpuSeconds(pid)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  const end = t0 + seconds * 1000
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const s = performance.now()
        try {
          await op(w, seq++)
          ops++
          lat.push(performance.now() - s)
        } catch {
          errors++
        }
      }
    }),
  )
  const ms = performance.now() - t0
  const client = process.cpuUsage(client0)
  lat.sort((a, b) => a - b)
  return {
    ops,
    errors,
    ms,
    cpu: cpuSeconds(pid) - c0,
    client: (client.user + client.system) / 1e6,
    p50: lat[Math.floor(lat.length / 2)] ?? Number.NaN,
  }
}

async function buildRepo(agent: AtpAgent, n: number): Promise<number> {
  const t0 = performance.now()
  for (let done = 0; done < n; done += BATCH) {
    const writes = Array.from({ length: Math.min(BATCH, n - done) }, (_, j) => ({
      $type: 'com.atproto.repo.applyWrites#create' as const,
      collection: COLLECTION,
      value: post(done + j),
    }))
    await agent.com.atproto.repo.applyWrites({ repo: didOf(agent), writes })
  }
  return performance.now() - t0
}

/** Best of 3 getRepo exports: ms and CAR bytes. */
async function exportRepo(agent: AtpAgent): Promise<{ ms: number; bytes: number }> {
  let best = Number.POSITIVE_INFINITY
  let bytes = 0
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now()
    const res = await agent.com.atproto.sync.getRepo({ did: didOf(agent) })
    best = Math.min(best, performance.now() - t0)
    bytes = res.data.length
  }
  return { ms: best, bytes }
}

/** Replays from cursor 0; counts frames until IDLE_MS passes without one. */
function replay(url: string): Promise<{ frames: number; bytes: number; ms: number }> {
  const u = new URL('/xrpc/com.atproto.sync.subscribeRepos', url.replace(/^http/, 'ws'))
  u.searchParams.set('cursor', '0')
  const ws = new WebSocket(u)
  let frames = 0
  let bytes = 0
  let start = 0
  let last = 0
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const finish = () => {
      ws.close()
      resolve({ frames, bytes, ms: last - start })
    }
    ws.on('error', reject)
    ws.on('open', () => {
      start = performance.now()
      last = start
      timer = setTimeout(finish, IDLE_MS * 4)
    })
    ws.on('message', (d: Buffer) => {
      frames++
      bytes += d.length
      last = performance.now()
      clearTimeout(timer)
      timer = setTimeout(finish, IDLE_MS)
    })
  })
}

const ratio = (x: number) => `×${x.toFixed(2)}`

export default async function () {
  const servers = await Promise.all([startServer('ours'), startServer('official')])
  const table: (string | number)[][] = []
  try {
    const solo = await Promise.all(servers.map((s) => newAgent(s.url)))
    const crowds = await Promise.all(
      servers.map((s) => Promise.all(Array.from({ length: WRITERS }, () => newAgent(s.url)))),
    )
    const rkeys: string[][] = servers.map(() => [])
    const rateRow = async (
      label: string,
      workers: number,
      op: (side: number, w: number, i: number) => Promise<unknown>,
    ) => {
      const r: Rate[] = []
      for (const [i, s] of servers.entries()) {
        if (WARMUP > 0) await timed(s, workers, (w, n) => op(i, w, n), WARMUP)
        r.push(await timed(s, workers, (w, n) => op(i, w, n)))
      }
      const rate = (x: Rate) => (x.ops * 1000) / x.ms
      const cpu = (x: Rate) => (x.cpu * 1e6) / Math.max(1, x.ops)
      const client = (x: Rate) => (x.client * 1e6) / Math.max(1, x.ops)
      table.push([
        label,
        rate(r[0]),
        rate(r[1]),
        ratio(rate(r[0]) / rate(r[1])),
        `${r[0].p50.toFixed(1)} / ${r[1].p50.toFixed(1)}`,
        `${Math.round(cpu(r[0]))} / ${Math.round(cpu(r[1]))}`,
        `${Math.round(client(r[0]))} / ${Math.round(client(r[1]))}`,
        `${r[0].errors} / ${r[1].errors}`,
      ])
    }
    const create = (a: AtpAgent, i: number, keep?: string[]) =>
      a.com.atproto.repo.createRecord({ repo: didOf(a), collection: COLLECTION, record: post(i) }).then((res) => {
        keep?.push(res.data.uri.split('/').pop() as string)
      })

    await rateRow('createRecord/s, 1 writer', 1, (side, _w, i) => create(solo[side], i, rkeys[side]))
    await rateRow(`createRecord/s, ${WRITERS} writers, 1 repo`, WRITERS, (side, _w, i) => create(solo[side], i))
    await rateRow(`createRecord/s, ${WRITERS} writers, ${WRITERS} repos`, WRITERS, (side, w, i) =>
      create(crowds[side][w], i),
    )
    const read = (side: number, i: number) => {
      const keys = rkeys[side]
      const rkey = keys[(i * 7919) % keys.length]
      return solo[side].com.atproto.repo.getRecord({ repo: didOf(solo[side]), collection: COLLECTION, rkey })
    }
    await rateRow('getRecord/s, sequential', 1, (side, _w, i) => read(side, i))
    await rateRow(`getRecord/s, ${WRITERS} readers`, WRITERS, (side, _w, i) => read(side, i))
    printTable(
      `PDS over HTTP with @atproto/api (${FETCH} fetch), ${SECONDS} s per row per side after ${WARMUP} s warm-up (ours / official)`,
      ['row', 'ours ops/s', 'official ops/s', 'ratio', 'p50 ms', 'server CPU µs/op', 'client CPU µs/op', 'errors'],
      table,
    )

    // getRepo export of an N-record repo, built with applyWrites batches on a fresh account on each side.
    const big = await Promise.all(servers.map((s) => newAgent(s.url)))
    const build: number[] = []
    const exp: { ms: number; bytes: number }[] = []
    for (const [i] of servers.entries()) build.push(await buildRepo(big[i], RECORDS))
    for (const [i] of servers.entries()) exp.push(await exportRepo(big[i]))
    const frames: { frames: number; bytes: number; ms: number }[] = []
    for (const s of servers) frames.push(await replay(s.url))
    const rss = servers.map((s) => procStatus(s.child.pid as number, 'VmRSS'))
    const hwm = servers.map((s) => procStatus(s.child.pid as number, 'VmHWM'))
    const fps = frames.map((f) => (f.frames * 1000) / f.ms)
    printTable(
      `Bulk, N = ${RECORDS} records (ratio > 1: ours better)`,
      ['row', 'ours', 'official', 'ratio'],
      [
        [
          `applyWrites build (${BATCH}/batch), records/s`,
          (RECORDS * 1000) / build[0],
          (RECORDS * 1000) / build[1],
          ratio(build[1] / build[0]),
        ],
        ['getRepo export, ms (best of 3)', exp[0].ms, exp[1].ms, ratio(exp[1].ms / exp[0].ms)],
        ['getRepo CAR size, MB', exp[0].bytes / 1e6, exp[1].bytes / 1e6, '-'],
        [
          `subscribeRepos replay, frames (${frames[0].frames} / ${frames[1].frames})/s`,
          fps[0],
          fps[1],
          ratio(fps[0] / fps[1]),
        ],
        [
          'subscribeRepos replay, MB/s',
          frames[0].bytes / 1e6 / (frames[0].ms / 1000),
          frames[1].bytes / 1e6 / (frames[1].ms / 1000),
          ratio(frames[0].bytes / frames[0].ms / (frames[1].bytes / frames[1].ms)),
        ],
        ['server RSS at end, MB', rss[0], rss[1], ratio(rss[1] / rss[0])],
        ['server peak RSS (VmHWM), MB', hwm[0], hwm[1], ratio(hwm[1] / hwm[0])],
      ],
    )
  } finally {
    for (const s of servers) s.child.kill('SIGTERM')
  }
}
