/**
 * Relay throughput: a synthetic host replays pre-signed commits (real repositories: every account starts
 * with 100 records, then each event creates one more record, so each carries a real MST proof) as fast as
 * the relay takes them. Measured: verified events/s through the relay (signature + sync 1.1 inversion +
 * chain/rev checks + group-committed event log and account state), CPU per event (relay process, all its
 * threads, per process.cpuUsage, and the kernel's part of it), peak RSS, with 0, 1 and 50 firehose
 * consumers, and with 0/1/2 verification worker threads. The host and the consumers run in child
 * processes so their CPU is not counted as the relay's; it is shown beside it (from /proc) because they
 * share the machine's cores. The host sends corked bursts and waits for 'drain' (not a polling loop).
 * A consumer is a raw WebSocket client counting complete binary messages by their frame headers (no
 * payload copy or decode), so fifty of them take little of the two cores the relay is measured on.
 * Rates and CPU are measured after the first RELAY_BENCH_WARMUP events (default a fifth of the stream):
 * before that V8 is still compiling the hot code of the main thread and of the fresh verify workers
 * (~35 µs of compiler-thread CPU per event over a 20,000-event run), which a long-running relay pays once.
 * RELAY_BENCH_PROFILE=<file.cpuprofile | file.heapprofile> profiles the relay's main thread during the run.
 *
 * Peer: no official relay runs here (the official relay is indigo, in Go; no Go toolchain). The closest
 * official component that verifies the same events is @atproto/sync's Firehose consumer
 * (parseCommitAuthenticated: signature + record proofs per op; no persistence, no fan-out); it reads the
 * same replay from the same synthetic host. The ratio compares verification pipelines, not relays.
 *
 * Size: RELAY_BENCH_EVENTS (default 20000), RELAY_BENCH_ACCOUNTS (default 500); RELAY_BENCH_SCENARIOS
 * (workers:consumers pairs), RELAY_BENCH_PEER_BUDGET_S (default 60: the official consumer is slow, so it
 * runs that long and its rate is taken over what it verified), RELAY_BENCH_NO_PEER=1 to skip it.
 * RELAY_BENCH_STREAM=<dir> keeps the generated stream there and reuses it (same size) on the next run.
 * RELAY_BENCH_THREADS=1 prints each relay thread's CPU µs/event (Linux): the main thread's task id is the
 * pid; the others are the verify workers, V8's GC/compiler helper threads and libuv's file-system pool.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import type { Relay } from '../packages/server/src/relay/index.ts'
import { WebSocketServer } from 'ws'
import { type Measured, printComparison, printTable } from './lib.ts'

const SELF = fileURLToPath(import.meta.url)
const ROLE = process.env.RELAY_BENCH_ROLE
const EVENTS = Number(process.env.RELAY_BENCH_EVENTS ?? 20_000)
/** Events relayed before measuring (JIT warm-up of the relay's main thread and its fresh verify workers). */
const WARMUP = Number(process.env.RELAY_BENCH_WARMUP ?? Math.floor(EVENTS / 5))
const ACCOUNTS = Number(process.env.RELAY_BENCH_ACCOUNTS ?? 500)
/** `workers:consumers` pairs, e.g. RELAY_BENCH_SCENARIOS=0:0,1:50 (default: the five in the table). */
const PEER_BUDGET_S = Number(process.env.RELAY_BENCH_PEER_BUDGET_S ?? 60)
const SCENARIOS = (process.env.RELAY_BENCH_SCENARIOS ?? '0:0,1:0,2:0,1:1,1:50')
  .split(',')
  .map((p) => p.split(':').map(Number) as [number, number])

interface AccountDoc {
  did: string
  signingKey: string
}

// ---------- child roles ----------

/** Builds the stream: length-prefixed #commit frames with upstream seq 1..EVENTS, plus the accounts. */
async function generate(dir: string): Promise<void> {
  const { TestAccount, commitFrame } = await import('../packages/server/src/relay/test-util.ts')
  const { nextTid } = await import('../packages/core/src/syntax/index.ts')
  const accounts: InstanceType<typeof TestAccount>[] = []
  for (let i = 0; i < ACCOUNTS; i++) {
    const a = new TestAccount(`did:plc:${String(i).padStart(6, '0')}benchbenchbenchbe`)
    const writes = Array.from({ length: 100 }, (_, j) => ({
      action: 'create' as const,
      collection: 'app.bsky.feed.like',
      rkey: nextTid(),
      record: {
        $type: 'app.bsky.feed.like',
        subject: { uri: `at://did:plc:x/app.bsky.feed.post/${j}`, cid: 'bafy' },
        createdAt: new Date().toISOString(),
      },
    }))
    a.commit(writes)
    accounts.push(a)
  }
  const chunks: Buffer[] = []
  for (let seq = 1; seq <= EVENTS; seq++) {
    const a = accounts[seq % ACCOUNTS]
    const frame = commitFrame(a.post(1, `post number ${seq}`), { seq })
    const len = Buffer.alloc(4)
    len.writeUInt32LE(frame.length)
    chunks.push(len, Buffer.from(frame))
  }
  writeFileSync(join(dir, 'stream.bin'), Buffer.concat(chunks))
  const docs: AccountDoc[] = accounts.map((a) => ({ did: a.did, signingKey: a.signingKey }))
  writeFileSync(join(dir, 'accounts.json'), JSON.stringify(docs))
}

function readStream(dir: string): Buffer[] {
  const buf = readFileSync(join(dir, 'stream.bin'))
  const frames: Buffer[] = []
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32LE(at)
    frames.push(buf.subarray(at + 4, at + 4 + len))
    at += 4 + len
  }
  return frames
}

/** Serves the stream to every subscriber as fast as its socket drains. */
async function host(dir: string): Promise<void> {
  const frames = readStream(dir)
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ did: 'did:web:localhost', availableUserDomains: [] }))
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', async (ws) => {
    // Corked bursts: one writev per 64 frames, so the synthetic host leaves the cores to the relay.
    const sock = (ws as unknown as { _socket: import('node:net').Socket })._socket
    for (let i = 0; i < frames.length; i += 64) {
      if (ws.readyState !== ws.OPEN) return
      sock.cork()
      for (const f of frames.slice(i, i + 64)) ws.send(f, { binary: true })
      sock.uncork()
      // Wait for the relay to read (not a polling loop: that would burn a core the relay needs).
      if (ws.bufferedAmount > 4 * 1024 * 1024 && sock.writableNeedDrain) {
        await new Promise((r) => {
          sock.once('drain', r)
          sock.once('close', r)
        })
      }
    }
  })
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }))
}

/**
 * N live firehose consumers; reports when every one has received EVENTS frames. Each is a raw WebSocket
 * client that walks the frame headers of what arrives and counts complete binary messages, without
 * copying or decoding payloads: the cheapest honest consumer, so that on two shared cores the consumers'
 * own CPU (shown per event) takes as little as possible from the relay being measured.
 */
async function consumers(url: string, n: number): Promise<void> {
  const { request } = await import('node:http')
  const { randomBytes } = await import('node:crypto')
  let done = 0
  let t0 = 0
  const target = new URL(`${url}/xrpc/com.atproto.sync.subscribeRepos`)
  const connect = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': randomBytes(16).toString('base64'),
        },
      })
      req.on('error', reject)
      req.on('upgrade', (_res, socket, head) => {
        let count = 0
        const onFrame = () => {
          if (t0 === 0) t0 = performance.now()
          if (++count === EVENTS && ++done === n) process.send?.({ done: true, ms: performance.now() - t0 })
        }
        const feed = frameCounter(onFrame)
        if (head.length > 0) feed(head)
        socket.on('data', feed)
        resolve()
      })
      req.end()
    })
  for (let i = 0; i < n; i++) await connect()
  process.send?.({ ready: true })
}

/** Calls `onMessage` per complete unfragmented binary WebSocket message (server frames: unmasked). */
function frameCounter(onMessage: () => void): (chunk: Buffer) => void {
  let skip = 0 // payload bytes of the current frame still to come
  let counts = false // whether the current frame is a binary message
  let carry: Buffer | undefined // a header split across chunks
  return (chunk) => {
    const buf = carry ? Buffer.concat([carry, chunk]) : chunk
    carry = undefined
    let at = 0
    while (true) {
      if (skip > 0) {
        const take = Math.min(skip, buf.length - at)
        skip -= take
        at += take
        if (skip > 0) return
        if (counts) onMessage()
      }
      if (at >= buf.length) return
      const left = buf.length - at
      const b0 = buf[at]
      const b1 = left > 1 ? buf[at + 1] & 0x7f : 0
      const headLen = b1 === 126 ? 4 : b1 === 127 ? 10 : 2
      if (left < headLen) {
        carry = buf.subarray(at)
        return
      }
      const len = b1 === 126 ? buf.readUInt16BE(at + 2) : b1 === 127 ? Number(buf.readBigUInt64BE(at + 2)) : b1
      at += headLen
      counts = b0 === 0x82
      skip = len
      if (len === 0 && counts) onMessage()
    }
  }
}

/** The official @atproto/sync Firehose verifying the same stream (DID documents pre-cached). */
async function official(dir: string, port: number): Promise<void> {
  const { Firehose, MemoryRunner } = await import('@atproto/sync')
  const { IdResolver, MemoryCache } = await import('@atproto/identity')
  const { didDoc } = await import('../packages/server/src/relay/test-util.ts')
  const cache = new MemoryCache(3_600_000, 3_600_000)
  for (const a of JSON.parse(readFileSync(join(dir, 'accounts.json'), 'utf8')) as AccountDoc[]) {
    await cache.cacheDid(a.did, didDoc(a.did, a.signingKey, `http://127.0.0.1:${port}`) as never)
  }
  let n = 0
  let errors = 0
  let reported = false
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const report = () => {
    if (reported) return
    reported = true
    const cpu = process.cpuUsage(cpu0)
    process.send?.({ n, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, errors })
  }
  // It is slow: stop after PEER_BUDGET_S and report the rate over what it verified by then.
  setTimeout(report, PEER_BUDGET_S * 1000).unref()
  const firehose = new Firehose({
    idResolver: new IdResolver({ didCache: cache }),
    service: `ws://127.0.0.1:${port}`,
    runner: new MemoryRunner({ startCursor: 0, concurrency: 64 }),
    excludeIdentity: true,
    excludeAccount: true,
    handleEvent: async () => {
      if (++n === EVENTS) report()
    },
    onError: () => {
      errors++
    },
  })
  void firehose.start()
}

if (ROLE) {
  const dir = process.env.RELAY_BENCH_DIR as string
  if (ROLE === 'gen') await generate(dir).then(() => process.exit(0))
  if (ROLE === 'host') await host(dir)
  if (ROLE === 'consumers') await consumers(process.env.RELAY_BENCH_URL as string, Number(process.env.RELAY_BENCH_N))
  if (ROLE === 'official') await official(dir, Number(process.env.RELAY_BENCH_PORT))
}

// ---------- parent ----------

function spawnRole(role: string, env: Record<string, string>): ChildProcess {
  return fork(SELF, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, RELAY_BENCH_ROLE: role, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** CPU time (user + system, µs) a child process has used so far, from /proc (Linux); undefined elsewhere. */
function childCpuUs(child: ChildProcess): number | undefined {
  return procCpuUs(`/proc/${child.pid}/stat`)
}

/** CPU time of this process's main thread (its task id is the pid), to split the relay's CPU by thread. */
function mainThreadCpuUs(): number | undefined {
  return procCpuUs(`/proc/self/task/${process.pid}/stat`)
}

/** CPU time of each thread of this process, by task id (Linux). */
function threadCpuUs(): Map<string, number> {
  return new Map(readdirSync('/proc/self/task').map((t) => [t, procCpuUs(`/proc/self/task/${t}/stat`) ?? 0]))
}

function procCpuUs(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100 // utime + stime, in clock ticks of 10 ms
  } catch {
    return undefined
  }
}

function message<T>(child: ChildProcess, pick: (m: any) => boolean, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child timed out')), timeoutMs)
    const on = (m: any) => {
      if (!pick(m)) return
      clearTimeout(timer)
      child.off('message', on)
      resolve(m as T)
    }
    child.on('message', on)
    child.once('exit', (code) => code && reject(new Error(`child exited with ${code}`)))
  })
}

/** Profiles the measured window only (RELAY_BENCH_PROFILE=<file.cpuprofile>). */
async function startProfile(): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  // A file ending in .heapprofile samples allocations instead of CPU time.
  const file = process.env.RELAY_BENCH_PROFILE as string
  if (file.endsWith('.heapprofile')) {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never)
    return async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling')
      writeFileSync(file, JSON.stringify(profile))
      session.disconnect()
    }
  }
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}

interface RunResult {
  label: string
  eventsPerSec: number
  cpuUsPerEvent: number
  /** The kernel's part of it (socket reads, log writes and fsyncs, SQLite I/O). */
  sysUsPerEvent: number
  /** The main thread's part (the rest: verify workers, file-system and GC helper threads). */
  mainUsPerEvent?: number
  wallS: number
  peakRssMb: number
  deliveredS?: number
  /** Main thread event-loop utilisation during the run. */
  mainBusy: number
  /** Share of events verified on the main thread (inline mode, or assisting the workers). */
  inlineShare: number
  /** Event-loop utilisation of each verify worker since it started (includes the warm-up pause). */
  workerBusy: number[]
  /** CPU of the synthetic host and of the consumer process per event (they share the cores). */
  hostUsPerEvent?: number
  consumersUsPerEvent?: number
}

interface Scenario {
  relay: Relay
  port: number
  children: ChildProcess[]
  delivered?: Promise<{ ms: number }>
  dataDir: string
}

/** The synthetic host, a fresh relay (DIDs resolved from a stub) and the consumers, connected and idle. */
async function startScenario(dir: string, workers: number, nConsumers: number): Promise<Scenario> {
  const { startRelay } = await import('../packages/server/src/relay/index.ts')
  const { StubResolver, didDoc } = await import('../packages/server/src/relay/test-util.ts')
  const hostChild = spawnRole('host', { RELAY_BENCH_DIR: dir })
  const { port } = await message<{ port: number }>(hostChild, (m) => m.port !== undefined)
  const resolver = new StubResolver()
  for (const a of JSON.parse(readFileSync(join(dir, 'accounts.json'), 'utf8')) as AccountDoc[]) {
    resolver.set(didDoc(a.did, a.signingKey, `http://localhost:${port}`))
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-bench-'))
  const cfg = { port: 0, devMode: true, dataDir, verifyWorkers: workers, adminPassword: 'bench', accountRate: 0 }
  const relay = await startRelay(cfg, { logger: pino({ level: 'silent' }), didResolver: resolver })
  const s: Scenario = { relay, port, children: [hostChild], dataDir }
  if (nConsumers > 0) {
    const url = relay.url.replace('http', 'ws')
    const child = spawnRole('consumers', { RELAY_BENCH_URL: url, RELAY_BENCH_N: String(nConsumers) })
    s.children.push(child)
    s.delivered = message(child, (m) => m.done)
    await message(child, (m) => m.ready)
  }
  await new Promise((r) => setTimeout(r, 1500)) // let the verify workers load
  return s
}

async function runRelay(dir: string, workers: number, nConsumers: number, label: string): Promise<RunResult> {
  const s = await startScenario(dir, workers, nConsumers)
  const { relay } = s
  const durable = () => relay.ctx.sequencer.durableSeq
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
  }, 250)
  await fetch(`${relay.url}/admin/hosts/add`, {
    method: 'POST',
    headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
    body: JSON.stringify({ hostname: `localhost:${s.port}`, trusted: true }),
  })
  // Measure the steady state: the first WARMUP events pay for compiling the hot code (a relay runs for days).
  while (durable() < WARMUP) await new Promise((r) => setTimeout(r, 2))
  const from = durable()
  const inline0 = relay.ctx.pool.inlineJobs
  const stopProfile = process.env.RELAY_BENCH_PROFILE ? await startProfile() : undefined
  const elu0 = performance.eventLoopUtilization()
  const children0 = s.children.map(childCpuUs)
  const main0 = mainThreadCpuUs()
  const threads0 = process.env.RELAY_BENCH_THREADS ? threadCpuUs() : undefined
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  while (durable() < EVENTS) await new Promise((r) => setTimeout(r, 2))
  const wallMs = performance.now() - t0
  const n = durable() - from
  const cpu = process.cpuUsage(cpu0)
  const main1 = mainThreadCpuUs()
  if (threads0) {
    for (const [t, us] of threadCpuUs()) {
      const spent = us - (threads0.get(t) ?? 0)
      if (spent > 0)
        console.log(`  thread ${t}${t === String(process.pid) ? ' (main)' : ''}: ${(spent / n).toFixed(1)} µs/event`)
    }
  }
  const elu = performance.eventLoopUtilization(elu0)
  clearInterval(sampler)
  await stopProfile?.()
  const { counters, pool } = relay.ctx
  if (counters.totalDropped > 0) throw new Error(`relay dropped honest events: ${JSON.stringify(counters.dropped)}`)
  const deliveredMs = s.delivered ? (await s.delivered).ms : undefined
  const childUs = s.children.map((c, i) => {
    const now = childCpuUs(c)
    const before = children0[i]
    return now === undefined || before === undefined ? undefined : (now - before) / n
  })
  const inlineShare = (pool.inlineJobs - inline0) / n
  const workerBusy = pool.utilization()
  await relay.close()
  for (const c of s.children) c.kill()
  rmSync(s.dataDir, { recursive: true, force: true })
  return {
    label,
    eventsPerSec: (n * 1000) / wallMs,
    cpuUsPerEvent: (cpu.user + cpu.system) / n,
    sysUsPerEvent: cpu.system / n,
    mainUsPerEvent: main0 === undefined || main1 === undefined ? undefined : (main1 - main0) / n,
    wallS: wallMs / 1000,
    peakRssMb: peakRss / 1024 / 1024,
    deliveredS: deliveredMs === undefined ? undefined : deliveredMs / 1000,
    mainBusy: elu.utilization,
    inlineShare,
    workerBusy,
    hostUsPerEvent: childUs[0],
    consumersUsPerEvent: childUs[1],
  }
}

async function runOfficial(
  dir: string,
): Promise<{ eventsPerSec: number; cpuUsPerEvent: number; errors: number; n: number }> {
  const hostChild = spawnRole('host', { RELAY_BENCH_DIR: dir })
  const { port } = await message<{ port: number }>(hostChild, (m) => m.port !== undefined)
  const child = spawnRole('official', { RELAY_BENCH_DIR: dir, RELAY_BENCH_PORT: String(port) })
  const r = await message<{ n: number; ms: number; cpuMs: number; errors: number }>(child, (m) => m.ms !== undefined)
  child.kill()
  hostChild.kill()
  return { eventsPerSec: (r.n * 1000) / r.ms, cpuUsPerEvent: (r.cpuMs * 1000) / r.n, errors: r.errors, n: r.n }
}

export default async function bench(): Promise<void> {
  const keep = process.env.RELAY_BENCH_STREAM
  const dir = keep ? join(keep, `${EVENTS}-${ACCOUNTS}`) : mkdtempSync(join(tmpdir(), 'relay-bench-stream-'))
  try {
    const g0 = performance.now()
    if (!keep || !existsSync(join(dir, 'accounts.json'))) {
      mkdirSync(dir, { recursive: true })
      const gen = spawnRole('gen', { RELAY_BENCH_DIR: dir })
      await new Promise((resolve, reject) =>
        gen.once('exit', (c) => (c === 0 ? resolve(c) : reject(new Error(`gen ${c}`)))),
      )
    }
    process.stdout.write(
      `  ${EVENTS} pre-signed commits over ${ACCOUNTS} accounts (ready in ${((performance.now() - g0) / 1000).toFixed(1)} s)\n`,
    )
    const rows: RunResult[] = []
    for (const [workers, consumers] of SCENARIOS) {
      rows.push(await runRelay(dir, workers, consumers, `${workers} workers, ${consumers} consumers`))
    }
    printTable(
      `relay: verified events through the relay after ${WARMUP} warm-up events (host and consumers in child processes)`,
      [
        'setup',
        'events/s',
        'relay CPU µs/event',
        'of which kernel',
        'main thread',
        'wall s',
        'peak RSS MB',
        'main busy',
        'workers busy',
        'verified inline',
        'consumers done s',
        'host CPU µs/event',
        'consumers CPU µs/event',
      ],
      rows.map((r) => [
        r.label,
        r.eventsPerSec,
        r.cpuUsPerEvent,
        r.sysUsPerEvent,
        r.mainUsPerEvent?.toFixed(0) ?? '-',
        r.wallS,
        r.peakRssMb,
        `${Math.round(r.mainBusy * 100)}%`,
        r.workerBusy.map((u) => `${Math.round(u * 100)}%`).join(' ') || '-',
        `${Math.round(r.inlineShare * 100)}%`,
        r.deliveredS?.toFixed(2) ?? '-',
        r.hostUsPerEvent?.toFixed(0) ?? '-',
        r.consumersUsPerEvent?.toFixed(0) ?? '-',
      ]),
    )
    if (process.env.RELAY_BENCH_NO_PEER) return
    const off = await runOfficial(dir)
    const best = rows.slice(0, 3).reduce((a, b) => (b.eventsPerSec > a.eventsPerSec ? b : a))
    const asMeasured = (name: string, perSec: number): Measured => ({ name, opsPerSec: perSec, usPerOp: 1e6 / perSec })
    const peer = `@atproto/sync Firehose, verify-only, ${off.n} events in ≤${PEER_BUDGET_S} s, ${off.errors} errors`
    printComparison(`verified commits/s (official: ${peer})`, [
      asMeasured(`stratus relay (${best.label})`, best.eventsPerSec),
      asMeasured('@atproto/sync Firehose', off.eventsPerSec),
    ])
    printComparison('CPU per verified commit (as events per CPU-second)', [
      asMeasured(`stratus relay (${best.label})`, 1e6 / best.cpuUsPerEvent),
      asMeasured('@atproto/sync Firehose', 1e6 / off.cpuUsPerEvent),
    ])
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}
