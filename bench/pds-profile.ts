/**
 * Profiling driver (not part of `npm run bench`): starts our PDS in a child process under `node --cpu-prof`
 * (profile written to PROF_DIR, default /tmp/prof), drives it with @atproto/api — createRecord with 1
 * writer, then getRecord — and stops it cleanly so the profile is flushed. Prints ops/s and server CPU µs/op.
 *   node --import tsx bench/pds-profile.ts [create|get|both] [seconds]
 * (NO_PROF=1: no profile; NODE_FLAGS: extra node flags for the server; PERF=1: under `perf record`.)
 */
import { execSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { AtpAgent } from '@atproto/api'

const mode = process.argv[2] ?? 'both'
const SECONDS = Number(process.argv[3] ?? 5)
const WRITERS = Number(process.env.WRITERS ?? 1)
const dir = process.env.PROF_DIR ?? '/tmp/prof'
const prof = process.env.NO_PROF ? [] : ['--cpu-prof', '--cpu-prof-dir', dir]
// PERF=1: run the server under `perf record` instead (kernel and native frames; /tmp/perf.data).
const perf = process.env.PERF ? ['record', '-o', '/tmp/perf.data', '-F', '1999', '-g', '--', process.execPath] : []
const child = spawn(
  perf.length ? 'perf' : process.execPath,
  [
    ...perf,
    ...(perf.length ? ['--perf-basic-prof'] : prof),
    // NODE_FLAGS: extra flags for the server, e.g. '--log-deopt --logfile=/tmp/v8.log --no-logfile-per-isolate'.
    ...(process.env.NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    '--import',
    'tsx',
    new URL('./pds-repo-server.ts', import.meta.url).pathname,
    'ours',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_ENABLED: 'false' } },
)
if (process.env.PID_FILE) writeFileSync(process.env.PID_FILE, String(child.pid))
let url = ''
for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
  if (line.startsWith('{"url"')) {
    url = JSON.parse(line).url
    break
  }
}
const times = () => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return [Number(f[11]) / 100, Number(f[12]) / 100]
}
const agent = new AtpAgent({ service: url })
await agent.createAccount({ handle: 'prof.test', email: 'prof@example.com', password: 'bench-password' })
const did = agent.session?.did as string
const rkeys: string[] = []
async function run(label: string, op: (i: number) => Promise<unknown>) {
  if (process.env.PHASE_FILE) writeFileSync(process.env.PHASE_FILE, label)
  const c0 = times()
  const t0 = performance.now()
  let n = 0
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (performance.now() - t0 < SECONDS * 1000) await op(n++)
    }),
  )
  const s = (performance.now() - t0) / 1000
  const c1 = times()
  const us = (i: number) => (((c1[i] - c0[i]) * 1e6) / n).toFixed(0)
  console.log(`${label}: ${(n / s).toFixed(0)}/s, server CPU µs/op: user ${us(0)} + sys ${us(1)}`)
}
const create = (i: number) =>
  agent.com.atproto.repo
    .createRecord({
      repo: did,
      collection: 'app.bsky.feed.post',
      record: { $type: 'app.bsky.feed.post', text: `post ${i}`, createdAt: new Date().toISOString() },
    })
    .then((r) => rkeys.push(r.data.uri.split('/').pop() as string))
if (mode !== 'get') await run('createRecord', create)
else for (let i = 0; i < 300; i++) await create(i)
if (mode !== 'create')
  await run('getRecord', (i) =>
    process.env.CLIENT === 'fetch'
      ? fetch(
          `${url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=${rkeys[(i * 7919) % rkeys.length]}`,
        ).then((r) => r.arrayBuffer())
      : agent.com.atproto.repo.getRecord({
          repo: did,
          collection: 'app.bsky.feed.post',
          rkey: rkeys[(i * 7919) % rkeys.length],
        }),
  )
// Under perf the server is perf's child: stop it (by parent pid) and let perf finish writing.
if (perf.length) execSync(`pkill -INT -P ${child.pid}`)
else child.kill('SIGINT')
await new Promise((r) => child.once('exit', r))
