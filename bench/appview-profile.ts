/**
 * Profiling driver for the AppView's readers (not part of `npm run bench`): what one reader thread spends
 * per request, without HTTP, threads or the client. Indexes the appview bench's synthetic network once into
 * a database kept in the temp directory (per APPVIEW_BENCH_SCALE), then answers requests in this process
 * exactly as a reader thread does (read-worker.ts readerAnswers), one at a time, and prints µs per call.
 *   node --import tsx [--cpu-prof --cpu-prof-dir=/tmp/prof] bench/appview-profile.ts [timeline|thread|profile] [calls]
 * (WARMUP: untimed calls first, default 2000; SQL=1: time each SQL statement and print the costliest.)
 */
import { existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readerAnswers } from '../packages/server/src/appview/api/read-worker.ts'
import { openDatabase } from '../packages/server/src/db/index.ts'
import { SIZES, fakePlc, index, loadStream, makeAccount } from './appview.bench.ts'

const what = process.argv[2] ?? 'timeline'
const CALLS = Number(process.argv[3] ?? 3000)
const SCALE = Number(process.env.APPVIEW_BENCH_SCALE ?? 0.005)
const file = join(tmpdir(), `stratus-appview-profile-${SCALE}.db`)
const accounts = Array.from({ length: SIZES.accounts }, (_, i) => makeAccount(i))

if (!existsSync(file)) {
  const plc = await fakePlc(accounts)
  try {
    await index(`sqlite:${file}.tmp`, loadStream().frames, plc.url, new Map(accounts.map((a) => [a.handle, a.did])))
  } finally {
    await plc.close()
  }
  for (const s of ['', '-wal', '-shm']) if (existsSync(`${file}.tmp${s}`) && s !== '') rmSync(`${file}.tmp${s}`)
  const { renameSync } = await import('node:fs')
  renameSync(`${file}.tmp`, file)
}

const threads: string[] = []
{
  const db = openDatabase(`sqlite:${file}`)
  for (const r of db.sqlite?.prepare('select reply_root from post where reply_root is not null limit 200').all() ?? [])
    threads.push((r as { reply_root: string }).reply_root)
  await db.close()
}
// SQL=1: time each statement (by its text) and print the slowest per call at the end
const sqlTimes = new Map<string, { n: number; us: number }>()
if (process.env.SQL) {
  // the server package's copy of better-sqlite3, the one its statements come from
  const Database = createRequire(new URL('../packages/server/package.json', import.meta.url))('better-sqlite3')
  const probe = new Database(':memory:').prepare('select 1')
  const proto = Object.getPrototypeOf(probe) as Record<string, (...a: unknown[]) => unknown>
  for (const m of ['all', 'get', 'run', 'iterate']) {
    const orig = proto[m]
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      const t0 = performance.now()
      const out = orig.apply(this, a)
      const e = sqlTimes.get(this.source) ?? { n: 0, us: 0 }
      e.n++
      e.us += (performance.now() - t0) * 1000
      sqlTimes.set(this.source, e)
      return out
    }
  }
}
const reader = readerAnswers({ dbUrl: `sqlite:${file}`, cdnUrl: 'http://127.0.0.1:9/img' })
const viewer = (i: number) => accounts[i % accounts.length].did
const request = (i: number) => {
  if (what === 'thread') return { nsid: 'app.bsky.feed.getPostThread', params: { uri: threads[i % threads.length] } }
  if (what === 'profile') return { nsid: 'app.bsky.actor.getProfile', params: { actor: viewer(i * 7 + 1) } }
  return { nsid: 'app.bsky.feed.getTimeline', params: { limit: 50 } }
}
let bytes = 0
const run = async (n: number) => {
  for (let i = 0; i < n; i++) {
    const out = await reader.answer({ id: i, viewer: viewer(i), ...request(i) } as never)
    if (out.type !== 'ok') throw new Error(JSON.stringify(out))
    bytes += out.body.length
  }
}
// warm-up: statements prepared, code optimised (a few hundred calls leave much of it unoptimised), caches filled
await run(Number(process.env.WARMUP ?? 2000))
bytes = 0
sqlTimes.clear()
const cpu0 = process.cpuUsage()
const t0 = performance.now()
await run(CALLS)
const cpu = process.cpuUsage(cpu0)
console.log(
  `${what}: ${((1000 * (performance.now() - t0)) / CALLS).toFixed(0)} µs/call wall, ${((cpu.user + cpu.system) / CALLS).toFixed(0)} µs/call CPU, ${Math.round(bytes / CALLS)} chars/answer`,
)
for (const [src, e] of [...sqlTimes].sort((a, b) => b[1].us - a[1].us).slice(0, 12))
  console.log(
    `${(e.us / CALLS).toFixed(0).padStart(6)} µs/call ${(e.n / CALLS).toFixed(2)}×  ${src.replace(/\s+/g, ' ').slice(0, 160)}`,
  )
await reader.close()
