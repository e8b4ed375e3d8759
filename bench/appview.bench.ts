/**
 * The AppView, measured:
 *   1. Indexing: a synthetic network (scaled from the issue's 10k accounts / 1M posts / 3M likes / 300k
 *      follows) as a pre-generated firehose — real signed commits, one record per commit, with sync 1.1
 *      proofs — fed through the sync kit (frame decoding, signature + proof verification) into the indexer
 *      on SQLite (and PostgreSQL with APPVIEW_BENCH_PG=1). Reports records/s. The stream is generated once
 *      and cached in the temp directory. The timer starts once the ingester's verification workers are
 *      loaded (they start with it, as at an AppView's boot; reads() likewise waits for its readers).
 *   2. Reads: getTimeline, getPostThread and getProfile over HTTP with service-auth tokens, 32 concurrent
 *      readers, p50/p99 latency. The AppView serves them from its own process on the database part 1 indexed
 *      (as a deployment would), so neither this client nor the indexing phase's heap shares its main thread.
 *   3. Side by side with the official AppView (@atproto/dev-env TestNetwork: PLC + PDS + @atproto/bsky on
 *      PostgreSQL) on 20 accounts × 20 posts, one viewer following 19: getTimeline(limit 50) p50/p99,
 *      sequential, direct and through each network's own PDS, plus ours behind the official PDS. Each side
 *      runs alone in its own child process with the same client and warm-up. Skipped without PostgreSQL
 *      or with APPVIEW_BENCH_OFFICIAL=0.
 *      APPVIEW_BENCH_ONLY=compare runs this part alone (APPVIEW_BENCH_ONLY=index runs part 1 alone);
 *      APPVIEW_BENCH_SIDES picks sides (comma-separated of official, stratus, mixed; default all three, a
 *      side not run shows '-'), APPVIEW_BENCH_CALLS the timed calls per path (default 300). Profile a side
 *      with NODE_OPTIONS (e.g. --cpu-prof, --trace-gc).
 * Size: APPVIEW_BENCH_SCALE (default 0.005 = 50 accounts, 5k posts, 15k likes, 1.5k follows; 1 = the issue's
 * full network). APPVIEW_BENCH_READS: calls per read method (default 1000). APPVIEW_BENCH_PROFILE=<dir>: CPU
 * profiles of the read server's threads (--cpu-prof) into that directory.
 */
import { fork } from 'node:child_process'
import { Agent, createServer, request } from 'node:http'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PerformanceObserver } from 'node:perf_hooks'
import { AtpAgent } from '@atproto/api'
import { sha256, toBase32 } from '@stratus/core/bytes'
import { Secp256k1Keypair, formatMultikey } from '@stratus/core/crypto'
import { type CID, cidForRaw, writeCarBytes } from '@stratus/core/data'
import { MemoryBlockStore, Repo, type RecordWrite } from '@stratus/core/repo'
import { tidFromTime } from '@stratus/core/syntax'
import { type RepoMessage, SyncIdentity, parseRepoMessage } from '@stratus/core/sync'
import { createServiceJwt, decodeFrame, encodeMessageFrame } from '@stratus/core/xrpc'
import { openDatabase } from '../packages/server/src/db/index.ts'
import { pgTestUrl, testSchemaName } from '../packages/server/src/db/test-util.ts'
import { startAppView } from '../packages/server/src/appview/index.ts'
import { wrapAppViewDb } from '../packages/server/src/appview/db/index.ts'
import { Indexer, PLUGINS } from '../packages/server/src/appview/indexing/index.ts'
import { createIngester } from '../packages/server/src/appview/ingest/ingester.ts'
import { DbSyncStore } from '../packages/server/src/appview/ingest/store.ts'
import { loadBundledLexicons } from '../packages/server/src/lexicons/index.ts'
import { printTable } from './lib.ts'

const SCALE = Number(process.env.APPVIEW_BENCH_SCALE ?? 0.005)
export const SIZES = {
  accounts: Math.max(20, Math.round(10_000 * SCALE)),
  posts: Math.round(1_000_000 * SCALE),
  likes: Math.round(3_000_000 * SCALE),
  follows: Math.round(300_000 * SCALE),
}

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Account {
  did: string
  handle: string
  key: Secp256k1Keypair
  repo: Repo
}

export function makeAccount(i: number): Account {
  const seed = sha256(new TextEncoder().encode(`appview-bench-${i}`))
  const key = Secp256k1Keypair.import(seed)
  const did = `did:plc:${toBase32(sha256(seed)).slice(0, 24)}`
  return { did, handle: `user${i}.bench.test`, key, repo: undefined as unknown as Repo }
}

// ---------------------------------------------------------------- 1. the pre-generated stream

function commitFrame(seq: number, acct: Account, writes: RecordWrite[]): Uint8Array {
  const data = acct.repo
    ? acct.repo.formatCommit(writes, acct.key)
    : Repo.formatInit(new MemoryBlockStore(), acct.did, acct.key, writes)
  if (acct.repo) acct.repo = acct.repo.applyCommit(data)
  else {
    const store = new MemoryBlockStore()
    store.applyCommit(data)
    acct.repo = Repo.load(store, data.cid)
  }
  const car = writeCarBytes([data.cid], data.eventBlocks)
  return encodeMessageFrame('#commit', {
    seq,
    rebase: false,
    tooBig: false,
    repo: acct.did,
    commit: data.cid,
    rev: data.rev,
    since: data.since,
    blocks: car,
    ops: data.ops.map((o) => (o.prev ? { ...o } : { action: o.action, path: o.path, cid: o.cid })),
    blobs: [],
    prevData: data.prevData ?? undefined,
    time: new Date().toISOString(),
  })
}

const FAKE_IMAGE = cidForRaw(new Uint8Array([1, 2, 3]))

/** The whole network as firehose frames, in a plausible order: accounts, follows, then posts and likes. */
function generateStream(): { frames: Uint8Array[]; records: number } {
  const rnd = prng(42)
  const pick = (n: number) => Math.floor(rnd() * n)
  const accounts = Array.from({ length: SIZES.accounts }, (_, i) => makeAccount(i))
  const frames: Uint8Array[] = []
  let seq = 0
  let t = Date.parse('2024-01-01T00:00:00Z')
  const at = () => new Date((t += 1000)).toISOString()
  let rk = 0
  const rkey = () => tidFromTime(1_704_067_200_000_000 + rk++, 0)
  for (const a of accounts) {
    frames.push(
      commitFrame(++seq, a, [
        {
          action: 'create',
          collection: 'app.bsky.actor.profile',
          rkey: 'self',
          record: { $type: 'app.bsky.actor.profile', displayName: `User ${a.handle}`, description: 'bench account' },
        },
      ]),
    )
  }
  const followed = new Set<string>()
  for (let i = 0; i < SIZES.follows; i++) {
    const a = accounts[pick(accounts.length)]
    const b = accounts[pick(accounts.length)]
    if (a === b || followed.has(`${a.did} ${b.did}`)) continue
    followed.add(`${a.did} ${b.did}`)
    const record = { $type: 'app.bsky.graph.follow', subject: b.did, createdAt: at() }
    frames.push(
      commitFrame(++seq, a, [{ action: 'create', collection: 'app.bsky.graph.follow', rkey: rkey(), record }]),
    )
  }
  const posts: { uri: string; cid: string }[] = []
  const likesPerPost = SIZES.likes / Math.max(1, SIZES.posts)
  let likes = 0
  for (let i = 0; i < SIZES.posts; i++) {
    const a = accounts[pick(accounts.length)]
    const record: Record<string, unknown> = {
      $type: 'app.bsky.feed.post',
      text: `post ${i} about topic${pick(50)}`,
      createdAt: at(),
    }
    const r = rnd()
    if (posts.length > 10 && r < 0.2) {
      const parent = posts[posts.length - 1 - pick(Math.min(posts.length, 200))]
      record.reply = { root: parent, parent }
    } else if (posts.length > 10 && r < 0.25) {
      record.embed = { $type: 'app.bsky.embed.record', record: posts[pick(posts.length)] }
    } else if (r < 0.45) {
      record.embed = {
        $type: 'app.bsky.embed.images',
        images: [{ image: { $type: 'blob', ref: FAKE_IMAGE, mimeType: 'image/jpeg', size: 1000 }, alt: '' }],
      }
    }
    const key = rkey()
    frames.push(commitFrame(++seq, a, [{ action: 'create', collection: 'app.bsky.feed.post', rkey: key, record }]))
    const cid = a.repo.getRecordCid('app.bsky.feed.post', key) as CID
    posts.push({ uri: `at://${a.did}/app.bsky.feed.post/${key}`, cid: cid.toString() })
    while (likes < (i + 1) * likesPerPost) {
      likes++
      const liker = accounts[pick(accounts.length)]
      const subject = posts[posts.length - 1 - pick(Math.min(posts.length, 500))]
      const like = { $type: 'app.bsky.feed.like', subject, createdAt: at() }
      frames.push(
        commitFrame(++seq, liker, [{ action: 'create', collection: 'app.bsky.feed.like', rkey: rkey(), record: like }]),
      )
    }
  }
  return { frames, records: seq }
}

/** Frames cached on disk (length-prefixed), so the stream is generated once per scale. */
export function loadStream(): { frames: Uint8Array[]; records: number; generatedMs?: number } {
  const file = join(tmpdir(), `stratus-appview-bench-${SCALE}.bin`)
  if (existsSync(file)) {
    const buf = readFileSync(file)
    const frames: Uint8Array[] = []
    for (let o = 0; o < buf.length; ) {
      const len = buf.readUInt32LE(o)
      frames.push(new Uint8Array(buf.buffer, buf.byteOffset + o + 4, len))
      o += 4 + len
    }
    return { frames, records: frames.length }
  }
  const t0 = performance.now()
  const s = generateStream()
  const generatedMs = performance.now() - t0
  const total = s.frames.reduce((n, f) => n + 4 + f.length, 0)
  const out = Buffer.alloc(total)
  let o = 0
  for (const f of s.frames) {
    out.writeUInt32LE(f.length, o)
    out.set(f, o + 4)
    o += 4 + f.length
  }
  writeFileSync(file, out)
  return { ...s, generatedMs }
}

// ---------------------------------------------------------------- the identity service of the network

export async function fakePlc(accounts: Account[]): Promise<{ url: string; close(): Promise<void> }> {
  const docs = new Map(
    accounts.map((a) => [
      a.did,
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: a.did,
        alsoKnownAs: [`at://${a.handle}`],
        verificationMethod: [
          {
            id: `${a.did}#atproto`,
            type: 'Multikey',
            controller: a.did,
            publicKeyMultibase: formatMultikey('ES256K', a.key.publicKeyBytes()),
          },
        ],
        service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'http://127.0.0.1:9' }],
      }),
    ]),
  )
  const server = createServer((req, res) => {
    const doc = docs.get(decodeURIComponent((req.url ?? '/').slice(1)))
    res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' })
    res.end(doc ?? '{}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) }
}

async function* decoded(frames: Uint8Array[]): AsyncGenerator<RepoMessage> {
  for (const f of frames) {
    const { header, body } = decodeFrame(f)
    yield parseRepoMessage((header as { t: string }).t, body as never)
  }
}

export async function index(dbUrl: string, frames: Uint8Array[], plcUrl: string, handles: Map<string, string>) {
  const database = openDatabase(dbUrl)
  const appDb = await wrapAppViewDb(database)
  const indexer = new Indexer(appDb, { plugins: PLUGINS, lexicons: loadBundledLexicons() })
  const identity = new SyncIdentity({ plcUrl, allowPrivateNetwork: true, resolveHandle: async (h) => handles.get(h) })
  let indexMs = 0
  const apply = indexer.apply.bind(indexer)
  indexer.apply = async (events, within) => {
    const t = performance.now()
    await apply(events, within)
    indexMs += performance.now() - t
  }
  // The AppView's own ingest path (batching, verification workers, cursor in the batch's transaction).
  let errors = 0
  const sync = createIngester({
    messages: decoded(frames),
    indexer,
    store: new DbSyncStore(appDb.db, 'bench'),
    identity,
    batchSize: process.env.APPVIEW_BENCH_BATCH ? Number(process.env.APPVIEW_BENCH_BATCH) : undefined,
    verifyWorkers: process.env.APPVIEW_BENCH_WORKERS ? Number(process.env.APPVIEW_BENCH_WORKERS) : undefined,
    onError: (err, at) => {
      if (errors++ < 5) process.stderr.write(`  ingest error (${at?.what ?? '?'}): ${(err as Error)?.message ?? err}\n`)
    },
  })
  await sync.ready() // the verification workers start with the ingester, as at a service's boot
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  await sync.start()
  // A run that stops making progress fails (with what the kit reported) instead of waiting forever.
  let seen = -1
  let since = performance.now()
  while (sync.stats.messages < frames.length) {
    await new Promise((r) => setTimeout(r, 50))
    if (sync.stats.messages !== seen) [seen, since] = [sync.stats.messages, performance.now()]
    else if (performance.now() - since > 60_000)
      throw new Error(`indexing stalled at ${seen}/${frames.length} messages: ${JSON.stringify(sync.stats)}`)
  }
  await sync.idle()
  const ms = performance.now() - t0
  // process.cpuUsage covers every thread of the process, verification workers included.
  const cpu = process.cpuUsage(cpu0)
  await sync.stop()
  await appDb.close()
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, indexMs, stats: sync.stats }
}

// ---------------------------------------------------------------- 2. reads

/**
 * The benchmark's HTTP client, the same for ours and the official: keep-alive node:http, the body read as
 * raw bytes. fetch (undici) costs about 1.6× the CPU per call, all of it counted in this process.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 })

function httpGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function load(
  n: number,
  concurrency: number,
  call: (i: number) => Promise<void>,
): Promise<{ p50: number; p90: number; p99: number; max: number; cpuMs: number; times: number[] }> {
  const times: number[] = []
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      const t0 = performance.now()
      await call(i)
      times.push(performance.now() - t0)
    }
  }
  const cpu0 = process.cpuUsage()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const cpu = process.cpuUsage(cpu0)
  times.sort((a, b) => a - b)
  const cpuMs = (cpu.user + cpu.system) / 1000 / n
  const [p50, p90, p99] = [50, 90, 99].map((p) => percentile(times, p))
  return { p50, p90, p99, max: times[times.length - 1], cpuMs, times }
}

export async function reads(dbUrl: string, plcUrl: string, accounts: Account[], opts: { readers?: number } = {}) {
  // The AppView runs in its own process, opening the indexed database as `stratus appview` would: the
  // client's garbage and the indexing phase's heap (the stream) stay out of its main thread.
  const av = await readServer(dbUrl, plcUrl, opts.readers)
  const database = openDatabase(dbUrl)
  const db = (await wrapAppViewDb(database)).db
  const threads = (
    await db.selectFrom('post').select('reply_root').where('reply_root', 'is not', null).limit(200).execute()
  ).map((r) => r.reply_root as string)
  const tokens = new Map<string, string>()
  const token = (a: Account, lxm: string) => {
    const k = `${a.did} ${lxm}`
    let t = tokens.get(k)
    if (!t) {
      t = createServiceJwt({ iss: a.did, aud: av.did, lxm, keypair: a.key, exp: Math.floor(Date.now() / 1000) + 3600 })
      tokens.set(k, t)
    }
    return t
  }
  const get = async (path: string, a: Account, lxm: string) => {
    const res = await httpGet(`${av.url}/xrpc/${lxm}?${path}`, { authorization: `Bearer ${token(a, lxm)}` })
    if (res.status !== 200) throw new Error(`${lxm}: ${res.status} ${res.body}`)
  }
  const viewer = (i: number) => accounts[i % accounts.length]
  // warm-up: every viewer's DID document into the cache (a few at a time: the PLC stand-in shares this
  // process), then statements prepared
  await load(accounts.length, 4, (i) => get(`actor=${viewer(i).did}`, viewer(i), 'app.bsky.actor.getProfile'))
  await load(Number(process.env.APPVIEW_BENCH_WARMUP ?? 200), 32, (i) =>
    get('limit=50', viewer(i), 'app.bsky.feed.getTimeline'),
  )
  const rows: (string | number)[][] = []
  const N = Number(process.env.APPVIEW_BENCH_READS ?? 1000)
  // the whole distribution (a tail far above p90 points at stalls: GC, a parked thread), and the CPU per
  // request of the server process and of this client
  const timed = async (name: string, call: (i: number) => Promise<void>) => {
    const server0 = await av.cpuMs()
    const r = await load(N, 32, call)
    const server = ((await av.cpuMs()) - server0) / N
    rows.push([name, r.p50, r.p90, r.p99, r.max, server, r.cpuMs])
  }
  await timed('getTimeline(limit 50)', (i) => get('limit=50', viewer(i), 'app.bsky.feed.getTimeline'))
  await timed('getPostThread', (i) =>
    get(`uri=${encodeURIComponent(threads[i % threads.length])}`, viewer(i), 'app.bsky.feed.getPostThread'),
  )
  await timed('getProfile', (i) => get(`actor=${viewer(i * 7 + 1).did}`, viewer(i), 'app.bsky.actor.getProfile'))
  await database.close()
  await av.close()
  return rows
}

interface ReadServer {
  url: string
  did: string
  /** CPU of the server process (every thread) since it started, ms. */
  cpuMs(): Promise<number>
  close(): Promise<void>
}

/** The AppView for the read phase in a child process (this file, APPVIEW_BENCH_SIDE=reads). */
async function readServer(dbUrl: string, plcUrl: string, readers?: number): Promise<ReadServer> {
  const profile = process.env.APPVIEW_BENCH_PROFILE
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      // APPVIEW_BENCH_NODE_FLAGS: extra node flags for the server, e.g. '--trace-gc' or '--trace-opt'
      ...(process.env.APPVIEW_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    env: {
      ...process.env,
      APPVIEW_BENCH_SIDE: 'reads',
      APPVIEW_BENCH_DB: dbUrl,
      APPVIEW_BENCH_PLC: plcUrl,
      APPVIEW_BENCH_READERS: readers === undefined ? '' : String(readers),
    },
  })
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<string, unknown>))
      child.once('exit', (code) => reject(new Error(`read server exited with ${code}`)))
    })
  const started = (await next()) as { url: string; did: string }
  return {
    url: started.url,
    did: started.did,
    cpuMs: async () => {
      const reply = next()
      child.send('cpu')
      return (await reply).cpuMs as number
    },
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.send('close')
      await exited
    },
  }
}

/** The child side of readServer: the AppView on the indexed database, until told to close. */
async function serveReads(): Promise<void> {
  const accounts = Array.from({ length: SIZES.accounts }, (_, i) => makeAccount(i))
  const handles = new Map(accounts.map((a) => [a.handle, a.did]))
  const readers = process.env.APPVIEW_BENCH_READERS
  const av = await startAppView({
    port: 0,
    dbUrl: process.env.APPVIEW_BENCH_DB as string,
    plcUrl: process.env.APPVIEW_BENCH_PLC as string,
    devMode: true,
    logLevel: 'silent',
    resolveHandle: async (h) => handles.get(h),
    readers: readers ? Number(readers) : undefined,
  })
  const started = Date.now()
  while ((av.readers?.ready ?? 0) < (av.readers?.size ?? 0) && Date.now() - started < 120_000)
    await new Promise((r) => setTimeout(r, 50))
  process.on('message', async (m) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send?.({ cpuMs: (user + system) / 1000 })
    } else if (m === 'close') {
      await av.close()
      process.exit(0)
    }
  })
  process.send?.({ url: av.url, did: av.did })
}

export default async function (): Promise<void> {
  if (process.env.APPVIEW_BENCH_ONLY === 'compare') return compareWithOfficial()
  const accounts = Array.from({ length: SIZES.accounts }, (_, i) => makeAccount(i))
  const handles = new Map(accounts.map((a) => [a.handle, a.did]))
  const stream = loadStream()
  const plc = await fakePlc(accounts)
  const dir = mkdtempSync(join(tmpdir(), 'appview-bench-'))
  const sizes = `${SIZES.accounts} accounts, ${SIZES.posts} posts, ${SIZES.likes} likes, ≤${SIZES.follows} follows`
  process.stdout.write(
    `  synthetic network: ${sizes} = ${stream.records} commits${stream.generatedMs ? ` (generated in ${(stream.generatedMs / 1000).toFixed(1)} s)` : ' (cached)'}\n`,
  )
  const indexRows: (string | number)[][] = []
  const sqliteUrl = `sqlite:${join(dir, 'appview.db')}`
  const sq = await index(sqliteUrl, stream.frames, plc.url, handles)
  indexRows.push(indexRow('SQLite', stream.records, sq))
  const pgBase = process.env.APPVIEW_BENCH_PG === '1' ? await pgTestUrl() : undefined
  let pgUrl: string | undefined
  if (pgBase) {
    const u = new URL(pgBase)
    u.searchParams.set('schema', testSchemaName('appviewbench'))
    pgUrl = u.toString()
    const pg = await index(pgUrl, stream.frames, plc.url, handles)
    indexRows.push(indexRow('PostgreSQL', stream.records, pg))
  }
  stream.frames = [] // ~40 MB at the default scale that the read phase's client need not carry
  printTable(
    'indexing (firehose → verify → index), one record per commit',
    ['db', 'records', 'wall s', 'records/s', 'records/CPU-s', 'indexer share'],
    indexRows,
  )
  if (process.env.APPVIEW_BENCH_ONLY === 'index') {
    if (pgUrl) await dropSchema(pgUrl)
    await plc.close()
    rmSync(dir, { recursive: true, force: true })
    return
  }
  const load0 = loadavg()[0]
  const readRows = await reads(sqliteUrl, plc.url, accounts)
  printTable(
    `reads over HTTP, 32 concurrent readers, SQLite, scale ${SCALE} (ms; CPU per request: the AppView's process, the client's; load ${load0.toFixed(1)})`,
    ['method', 'p50', 'p90', 'p99', 'max', 'server CPU', 'client CPU'],
    readRows,
  )
  if (pgUrl) {
    printTable(
      `reads over HTTP, 32 concurrent readers, PostgreSQL, scale ${SCALE} (ms; load ${loadavg()[0].toFixed(1)})`,
      ['method', 'p50', 'p90', 'p99', 'max', 'server CPU', 'client CPU'],
      await reads(pgUrl, plc.url, accounts),
    )
    await dropSchema(pgUrl)
  }
  await plc.close()
  rmSync(dir, { recursive: true, force: true })
  if (process.env.APPVIEW_BENCH_OFFICIAL !== '0') await compareWithOfficial()
}

function indexRow(
  name: string,
  records: number,
  r: { ms: number; cpuMs: number; indexMs: number },
): (string | number)[] {
  return [
    name,
    records,
    r.ms / 1000,
    (records * 1000) / r.ms,
    (records * 1000) / r.cpuMs,
    `${Math.round((100 * r.indexMs) / r.ms)}%`,
  ]
}

async function dropSchema(url: string): Promise<void> {
  const u = new URL(url)
  const schema = u.searchParams.get('schema') as string
  u.searchParams.delete('schema')
  const db = openDatabase(u.toString())
  await db.pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.close()
}

// ---------------------------------------------------------------- 3. side by side with the official AppView

interface Seeded {
  viewer: AtpAgent
  pds: string
}

/** 20 accounts × 20 posts through a PDS; account 0 follows the 19 others. */
async function seedSmallNetwork(pdsUrl: string): Promise<Seeded> {
  const agents: AtpAgent[] = []
  for (let i = 0; i < 20; i++) {
    const a = new AtpAgent({ service: pdsUrl })
    await a.createAccount({ handle: `bench${i}.test`, email: `bench${i}@test.com`, password: 'hunter2' })
    agents.push(a)
  }
  for (let p = 0; p < 20; p++) for (const a of agents) await a.post({ text: `post ${p} by ${a.session?.handle}` })
  for (const a of agents.slice(1)) await agents[0].follow(a.assertDid)
  return { viewer: agents[0], pds: pdsUrl }
}

/** The viewer's access token, for calls through its PDS. */
const session = (s: Seeded) => async () => s.viewer.session?.accessJwt as string

interface Timed {
  p50: number
  p99: number
  max: number
  /** CPU of this whole process per call (client, PDS, AppView; not PostgreSQL's). */
  cpuMs: number
  /** Garbage collection during the timed calls: pauses and the longest one (ms). */
  gcs: number
  gcMax: number
}

/**
 * `n` sequential calls after a warm-up (statements prepared, code optimised, caches filled) and a full
 * collection (the setup's garbage, seeding included, is not collected during the timed calls).
 */
async function sequential(n: number, call: () => Promise<void>): Promise<Timed> {
  for (let i = 0; i < 100; i++) await call()
  ;(globalThis as { gc?: () => void }).gc?.()
  const gc: number[] = []
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push(e.duration)
  })
  obs.observe({ entryTypes: ['gc'] })
  const r = await load(n, 1, call)
  await new Promise((res) => setImmediate(res))
  obs.disconnect()
  const times = r.times
  return {
    p50: r.p50,
    p99: r.p99,
    max: times[times.length - 1],
    cpuMs: r.cpuMs,
    gcs: gc.length,
    gcMax: Math.max(0, ...gc),
  }
}

/** getTimeline(limit 50) through the benchmark's client: warm-up calls check the 50 items, timed calls read the bytes. */
async function timelineCall(url: string, token: () => Promise<string>): Promise<() => Promise<void>> {
  const headers = { authorization: `Bearer ${await token()}` }
  let checks = 3
  return async () => {
    const res = await httpGet(`${url}/xrpc/app.bsky.feed.getTimeline?limit=50`, headers)
    if (res.status !== 200) throw new Error(`getTimeline: ${res.status} ${res.body}`)
    if (checks > 0) {
      checks--
      const body = JSON.parse(res.body.toString()) as { feed: unknown[] }
      if (body.feed.length !== 50) throw new Error(`getTimeline returned ${body.feed.length} items`)
    }
  }
}

const N_SEQUENTIAL = Number(process.env.APPVIEW_BENCH_CALLS ?? 300)

/**
 * Each side in its own process, alone: the official network's timers, workers and heap (its major
 * collections) must not land in our timings, nor ours in theirs. Same workload, same client, same warm-up.
 */
export async function compareWithOfficial(): Promise<void> {
  const sides = new Set((process.env.APPVIEW_BENCH_SIDES ?? 'official,stratus,mixed').split(','))
  const pgUrl = sides.has('official') ? await pgTestUrl() : undefined
  if (sides.has('official') && !pgUrl)
    return void process.stdout.write('  (official AppView comparison skipped: no PostgreSQL)\n')
  const run = async <T>(side: string) => (sides.has(side) ? ((await inChild(side)) as T) : undefined)
  const theirs = await run<{ direct: Timed; pds: Timed }>('official')
  const ours = await run<{ direct: Timed; pds: Timed }>('stratus')
  const mixed = await run<{ pds: Timed }>('mixed')
  const ratio = (a: number, b: number) => `×${(b / a).toFixed(1)}`
  const row = (name: string, o?: Timed, t?: Timed) => [
    name,
    o?.p50 ?? '-',
    o?.p99 ?? '-',
    t?.p50 ?? '-',
    t?.p99 ?? '-',
    o && t ? ratio(o.p50, t.p50) : '-',
    o && t ? ratio(o.p99, t.p99) : '-',
    o?.cpuMs ?? '-',
    t?.cpuMs ?? '-',
    o ? `${o.gcs}/${o.gcMax.toFixed(1)}` : '-',
    t ? `${t.gcs}/${t.gcMax.toFixed(1)}` : '-',
  ]
  printTable(
    `getTimeline(limit 50), 20 accounts × 20 posts, viewer follows 19, ${N_SEQUENTIAL} sequential calls after 100 warm-up, each side alone in its own process (ms; ours SQLite, official PostgreSQL; CPU = that process per call, PostgreSQL's not counted; GC = pauses/longest; load ${loadavg()[0].toFixed(1)})`,
    [
      'path',
      'ours p50',
      'ours p99',
      'official p50',
      'official p99',
      'faster p50',
      'faster p99',
      'ours CPU',
      'official CPU',
      'ours GC',
      'official GC',
    ],
    [
      row('direct', ours?.direct, theirs?.direct),
      // what a client of each network sees
      row('through its own PDS (Stratus PDS vs official PDS)', ours?.pds, theirs?.pds),
      row('through the official PDS (ours behind it)', mixed?.pds, theirs?.pds),
    ],
  )
}

/** Runs one side of the comparison in a child process (this file, APPVIEW_BENCH_SIDE=side). */
function inChild(side: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      env: { ...process.env, APPVIEW_BENCH_SIDE: side },
    })
    let result: unknown
    child.on('message', (m) => {
      result = m
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      result !== undefined ? resolve(result) : reject(new Error(`${side} side exited with ${code}`)),
    )
  })
}

async function runSide(side: string): Promise<unknown> {
  if (side === 'official') return officialSide()
  if (side === 'stratus') return stratusSide()
  if (side === 'mixed') return mixedSide()
  throw new Error(`unknown side ${side}`)
}

/** Theirs: PLC + PDS + @atproto/bsky on PostgreSQL. */
async function officialSide(): Promise<{ direct: Timed; pds: Timed }> {
  const pgUrl = (await pgTestUrl()) as string
  process.env.REDIS_HOST ??= '127.0.0.1'
  const { TestNetwork } = await import('@atproto/dev-env')
  const net = await TestNetwork.create({ dbPostgresSchema: testSchemaName('officialbench'), dbPostgresUrl: pgUrl })
  try {
    const seeded = await seedSmallNetwork(net.pds.url)
    await net.processAll()
    const token = async () =>
      (
        await seeded.viewer.com.atproto.server.getServiceAuth({
          aud: net.bsky.ctx.cfg.serverDid,
          lxm: 'app.bsky.feed.getTimeline',
          exp: Math.floor(Date.now() / 1000) + 1800,
        })
      ).data.token
    const direct = await sequential(N_SEQUENTIAL, await timelineCall(net.bsky.url, token))
    const pds = await sequential(N_SEQUENTIAL, await timelineCall(net.pds.url, session(seeded)))
    return { direct, pds }
  } finally {
    await net.close()
  }
}

/** Ours: PLC + Stratus PDS proxying app.bsky.* to the Stratus AppView, which follows the PDS. */
async function stratusSide(): Promise<{ direct: Timed; pds: Timed }> {
  const { startTestPds, startTestPlc } = await import('../packages/server/src/pds/test-util.ts')
  const dir = mkdtempSync(join(tmpdir(), 'appview-bench-stratus-'))
  const plc = await startTestPlc()
  const port = await freePort()
  const did = `did:web:localhost%3A${port}`
  const pds = await startTestPds(
    { rateLimits: false, appviewUrl: `http://localhost:${port}`, appviewDid: did },
    { plc },
  )
  const av = await startAppView({
    port,
    did,
    dbUrl: `sqlite:${join(dir, 'ours.db')}`,
    relay: pds.url,
    plcUrl: plc.url,
    devMode: true,
    logLevel: 'silent',
    resolveHandle: async (h) => {
      const r = await fetch(`${pds.url}/xrpc/com.atproto.identity.resolveHandle?handle=${h}`)
      return r.ok ? ((await r.json()) as { did: string }).did : undefined
    },
  })
  try {
    const seeded = await seedSmallNetwork(pds.url)
    const feed = async () => (await seeded.viewer.getTimeline({ limit: 50 })).data.feed.length
    const deadline = Date.now() + 60_000
    while ((await feed()) < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    await av.sync?.idle()
    const token = async () =>
      (
        await seeded.viewer.com.atproto.server.getServiceAuth({
          aud: did,
          lxm: 'app.bsky.feed.getTimeline',
          exp: Math.floor(Date.now() / 1000) + 1800,
        })
      ).data.token
    const direct = await sequential(N_SEQUENTIAL, await timelineCall(av.url, token))
    const viaPds = await sequential(N_SEQUENTIAL, await timelineCall(pds.url, session(seeded)))
    return { direct, pds: viaPds }
  } finally {
    await av.close()
    await pds.close()
    await plc.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Ours behind the official PDS (PLC + PDS from @atproto/dev-env, no official AppView). */
async function mixedSide(): Promise<{ pds: Timed }> {
  const { TestNetworkNoAppView } = await import('@atproto/dev-env')
  const dir = mkdtempSync(join(tmpdir(), 'appview-bench-mixed-'))
  const port = await freePort()
  const net = await TestNetworkNoAppView.create({
    pds: { bskyAppViewUrl: `http://localhost:${port}`, bskyAppViewDid: `did:web:localhost%3A${port}` },
  })
  const ours = await startAppView({
    port,
    dbUrl: `sqlite:${join(dir, 'ours.db')}`,
    relay: net.pds.url,
    plcUrl: net.plc.url,
    devMode: true,
    logLevel: 'silent',
    resolveHandle: async (h) => {
      const r = await fetch(`${net.pds.url}/xrpc/com.atproto.identity.resolveHandle?handle=${h}`)
      return r.ok ? ((await r.json()) as { did: string }).did : undefined
    },
  })
  try {
    const seeded = await seedSmallNetwork(net.pds.url)
    const last = (await net.pds.ctx.sequencer.curr()) ?? 0
    while ((ours.sync?.cursor ?? 0) < last) await new Promise((r) => setTimeout(r, 50))
    await ours.sync?.idle()
    return { pds: await sequential(N_SEQUENTIAL, await timelineCall(net.pds.url, session(seeded))) }
  } finally {
    await ours.close()
    await net.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as { port: number }
  await new Promise((r) => srv.close(r))
  return port
}

// A child process of compareWithOfficial: run one side, send the figures, exit.
const side = process.env.APPVIEW_BENCH_SIDE
if (side === 'reads' && process.send) {
  serveReads().catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else if (side && process.send) {
  runSide(side).then(
    (r) => process.send?.(r, () => process.exit(0)),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}
