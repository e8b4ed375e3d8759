/**
 * Repositories, ours (core/repo) vs the official @atproto/repo, each side in its own child process so
 * that peak memory (max RSS) is measured per side:
 *   1. build a repo one write at a time (every write a signed commit applied to an in-memory store),
 *   2. build a repo in batches of 200 writes per commit,
 *   3. export the 100k-record repo as a CAR (streaming, consumed chunk by chunk),
 *   4. import + verify that CAR (signature, full MST walk).
 * Both sides export and import the same CAR (built by our side in step 2, so the repos are identical).
 * Speeds are per CPU second of the child (process.cpuUsage), so other load on the machine does not skew
 * the ratios; wall seconds are printed too.
 *
 * Size: REPO_BENCH_RECORDS (default 100000). Each build phase has a wall-clock budget,
 * REPO_BENCH_BUDGET_S (default 20 s); the official package builds far slower than ours, so its build rows
 * usually stop early and show the count reached (on a smaller, hence cheaper, repo: a conservative ratio).
 * Memory of the build rows is compared at equal size: our build is re-run up to the official count.
 * The default run takes about 2.5 minutes on an idle 2-core machine (most of it the official side).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { printTable } from './lib.ts'

const SELF = fileURLToPath(import.meta.url)
const CHILD_FLAG = '--repo-bench-child'
const DID = 'did:plc:benchbenchbenchbenchbenc'
const COLLECTION = 'app.bsky.feed.post'

interface PhaseResult {
  done: number
  wallMs: number
  cpuMs: number
  bytes?: number
  /** RSS after loading code, before any work. */
  baseRssMb: number
  maxRssMb: number
  imp?: { wallMs: number; cpuMs: number }
}

type Side = 'ours' | 'official'

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000
const rssMb = () => process.resourceUsage().maxRSS / 1024
const nowRssMb = () => process.memoryUsage().rss / (1 << 20)

/** Record i: a post-like record under a TID rkey that grows with i (as real posting does). */
function writeAt(i: number, rkey: (i: number) => string) {
  return {
    collection: COLLECTION,
    rkey: rkey(i),
    record: {
      $type: COLLECTION,
      text: `hello world, post number ${i}`,
      createdAt: new Date(1.7e12 + i * 1000).toISOString(),
    },
  }
}

/** Runs `step(i)` (which performs writes i.. and returns how many) until n writes or the budget. */
async function timed(n: number, budgetMs: number, step: (i: number) => Promise<number> | number) {
  const wall0 = performance.now()
  const cpu0 = process.cpuUsage()
  let done = 0
  while (done < n && performance.now() - wall0 < budgetMs) done += await step(done)
  return { done, wallMs: performance.now() - wall0, cpuMs: cpuMs(process.cpuUsage(cpu0)) }
}

async function oursChild(mode: string, n: number, budgetMs: number, carPath: string): Promise<PhaseResult> {
  const { Secp256k1Keypair } = await import('../packages/core/src/crypto/index.ts')
  const repoMod = await import('../packages/core/src/repo/index.ts')
  const { tidFromTime } = await import('../packages/core/src/syntax/index.ts')
  const { readCar } = await import('../packages/core/src/data/index.ts')
  const { MemoryBlockStore, Repo, exportRepoCar, exportRepoCarBytes, verifyRepoCar } = repoMod
  const rkey = (i: number) => tidFromTime(1_700_000_000_000_000 + i * 1000, 3)
  const baseRssMb = nowRssMb()
  if (mode === 'io') {
    const meta = JSON.parse(readFileSync(`${carPath}.json`, 'utf8')) as { key: string }
    const car = new Uint8Array(readFileSync(carPath))
    const { roots, blocks } = readCar(car)
    const store = new MemoryBlockStore(blocks)
    const exp = await timed(1, Number.POSITIVE_INFINITY, async () => {
      let bytes = 0
      for await (const chunk of exportRepoCar(store, roots[0])) bytes += chunk.length
      if (bytes !== car.length) throw new Error(`export size ${bytes} != ${car.length}`)
      return 1
    })
    const imp = await timed(1, Number.POSITIVE_INFINITY, () => {
      const v = verifyRepoCar(car, { did: DID, signingKey: meta.key })
      if (v.entries.length === 0) throw new Error('empty import')
      return 1
    })
    return { ...exp, bytes: car.length, baseRssMb, maxRssMb: rssMb(), imp }
  }
  const keypair = Secp256k1Keypair.create()
  const store = new MemoryBlockStore()
  let repo = Repo.create(store, DID, keypair)
  const per = mode === 'single' ? 1 : 200
  const res = await timed(n, budgetMs, (i) => {
    const writes = []
    for (let j = i; j < Math.min(n, i + per); j++) writes.push({ action: 'create' as const, ...writeAt(j, rkey) })
    repo = repo.applyWrites(writes, keypair).repo
    return writes.length
  })
  const maxRssMb = rssMb() // before writing the CAR file, which is not part of the build
  if (mode === 'batch' && carPath) {
    writeFileSync(carPath, exportRepoCarBytes(store, repo.cid))
    writeFileSync(`${carPath}.json`, JSON.stringify({ key: keypair.did(), records: res.done }))
  }
  return { ...res, baseRssMb, maxRssMb }
}

async function officialChild(mode: string, n: number, budgetMs: number, carPath: string): Promise<PhaseResult> {
  const official = await import('@atproto/repo')
  const { Secp256k1Keypair } = await import('@atproto/crypto')
  const { tidFromTime } = await import('../packages/core/src/syntax/index.ts')
  const rkey = (i: number) => tidFromTime(1_700_000_000_000_000 + i * 1000, 3)
  const baseRssMb = nowRssMb()
  if (mode === 'io') {
    const meta = JSON.parse(readFileSync(`${carPath}.json`, 'utf8')) as { key: string }
    const car = new Uint8Array(readFileSync(carPath))
    const { root, blocks } = await official.readCarWithRoot(car)
    const storage = new official.MemoryBlockstore(blocks)
    const exp = await timed(1, Number.POSITIVE_INFINITY, async () => {
      let bytes = 0
      for await (const chunk of official.getFullRepo(storage, root)) bytes += chunk.length
      if (bytes !== car.length) throw new Error(`export size ${bytes} != ${car.length}`)
      return 1
    })
    const imp = await timed(1, Number.POSITIVE_INFINITY, async () => {
      const v = await official.verifyRepoCar(car, DID, meta.key)
      if (v.creates.length === 0) throw new Error('empty import')
      return 1
    })
    return { ...exp, bytes: car.length, baseRssMb, maxRssMb: rssMb(), imp }
  }
  const keypair = await Secp256k1Keypair.create()
  let repo = await official.Repo.create(new official.MemoryBlockstore(), DID, keypair)
  const per = mode === 'single' ? 1 : 200
  const res = await timed(n, budgetMs, async (i) => {
    const writes = []
    for (let j = i; j < Math.min(n, i + per); j++)
      writes.push({ action: official.WriteOpAction.Create, ...writeAt(j, rkey) })
    repo = await repo.applyWrites(writes as never, keypair)
    return writes.length
  })
  return { ...res, baseRssMb, maxRssMb: rssMb() }
}

/** Child entry: node --import tsx bench/repo.bench.ts --repo-bench-child <side> <mode> <n> <budgetMs> <carPath> */
async function childMain(argv: string[]): Promise<void> {
  const [side, mode, n, budget, carPath] = argv
  const run = side === 'ours' ? oursChild : officialChild
  const result = await run(mode, Number(n), Number(budget), carPath)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

function spawnChild(side: Side, mode: string, n: number, budgetMs: number, carPath: string) {
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', SELF, CHILD_FLAG, side, mode, String(n), String(budgetMs), carPath],
    { encoding: 'utf8', maxBuffer: 1 << 24, cwd: fileURLToPath(new URL('..', import.meta.url)) },
  )
  if (res.status !== 0) throw new Error(`${side} ${mode} child failed: ${res.stderr}`)
  const lines = res.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1]) as PhaseResult
}

const fmt = (x: number, d = 2) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(d))
const memCell = (r: PhaseResult) => `${fmt(r.maxRssMb)} MB (+${fmt(r.maxRssMb - r.baseRssMb)})`
const growth = (r: PhaseResult) => r.maxRssMb - r.baseRssMb
const growthRatio = (ours: PhaseResult, theirs: PhaseResult) => `×${(growth(theirs) / growth(ours)).toFixed(2)} less`

export default async function (): Promise<void> {
  const n = Number(process.env.REPO_BENCH_RECORDS ?? 100_000)
  const budgetMs = Number(process.env.REPO_BENCH_BUDGET_S ?? 20) * 1000
  const dir = mkdtempSync(join(tmpdir(), 'repo-bench-'))
  const car = join(dir, 'repo.car')
  try {
    const rows: (string | number)[][] = []
    const mem: (string | number)[][] = []
    for (const [mode, label] of [
      ['single', 'build, 1 write per commit'],
      ['batch', 'build, 200 writes per commit'],
    ] as const) {
      const o = spawnChild(
        'ours',
        mode,
        n,
        mode === 'batch' ? Number.POSITIVE_INFINITY : budgetMs,
        mode === 'batch' ? car : '',
      )
      const t = spawnChild('official', mode, n, budgetMs, '')
      const ro = o.done / (o.cpuMs / 1000)
      const rt = t.done / (t.cpuMs / 1000)
      rows.push([
        `${label} (ops/s)`,
        `${fmt(ro)} (${o.done} writes, ${fmt(o.wallMs / 1000)} s)`,
        `${fmt(rt)} (${t.done} writes, ${fmt(t.wallMs / 1000)} s)`,
        `×${(ro / rt).toFixed(2)}`,
      ])
      // Memory at equal size: ours again, stopping at the number of writes the official build reached.
      const same = t.done < o.done ? spawnChild('ours', mode, t.done, Number.POSITIVE_INFINITY, '') : o
      mem.push([`${label}, ${t.done} writes`, memCell(same), memCell(t), growthRatio(same, t)])
      if (o !== same) mem.push([`${label}, ${o.done} writes`, memCell(o), '', ''])
    }
    const records = JSON.parse(readFileSync(`${car}.json`, 'utf8')).records as number
    const o = spawnChild('ours', 'io', records, 0, car)
    const t = spawnChild('official', 'io', records, 0, car)
    const mb = (o.bytes as number) / 1e6
    rows.push([
      `export CAR, ${records} records, ${fmt(mb)} MB (s | MB/s)`,
      `${fmt(o.cpuMs / 1000, 3)} s | ${fmt(mb / (o.cpuMs / 1000))}`,
      `${fmt(t.cpuMs / 1000, 3)} s | ${fmt(mb / (t.cpuMs / 1000))}`,
      `×${(t.cpuMs / o.cpuMs).toFixed(2)}`,
    ])
    const oi = o.imp as { cpuMs: number; wallMs: number }
    const ti = t.imp as { cpuMs: number; wallMs: number }
    rows.push([
      `import + verify CAR (s)`,
      `${fmt(oi.cpuMs / 1000, 3)} s`,
      `${fmt(ti.cpuMs / 1000, 3)} s`,
      `×${(ti.cpuMs / oi.cpuMs).toFixed(2)}`,
    ])
    mem.push([`export + import, ${records} records`, memCell(o), memCell(t), growthRatio(o, t)])
    printTable(
      'repository (CPU time of each child process; ratio = how many times faster ours is)',
      ['', 'ours', '@atproto/repo', 'ratio'],
      rows,
    )
    printTable(
      'peak memory: max RSS of each child process (+ growth over its RSS before the work)',
      ['', 'ours', '@atproto/repo', 'growth ratio'],
      mem,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === CHILD_FLAG) await childMain(process.argv.slice(3))
