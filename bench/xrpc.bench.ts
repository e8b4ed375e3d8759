/**
 * XRPC layer: event-stream frame codec (ours vs @atproto/xrpc-server's frames) and HTTP round trips through
 * our router + serveFetch vs the official xrpc-server (express), both validating params, input and output
 * against the same lexicons, driven by the same keep-alive node:http client with 8 requests in flight.
 */
import { spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Frame as OfficialFrame, MessageFrame as OfficialMessageFrame, createServer } from '@atproto/xrpc-server'
import { CID as MfCID } from 'multiformats/cid'
import { CID } from '../packages/core/src/data/index.ts'
import { Lexicons } from '../packages/core/src/lexicon/index.ts'
import { decodeFrame, encodeMessageFrame } from '../packages/core/src/xrpc/index.ts'
import { createXrpcRouter, serveFetch } from '../packages/server/src/http/index.ts'
import { TEST_LEXICONS } from '../packages/server/src/http/test-lexicons.ts'
import { type Measured, measure, printComparison } from './lib.ts'

const cidStr = 'bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454'

function commitLike(cid: unknown) {
  return {
    seq: 123456789,
    rebase: false,
    tooBig: false,
    repo: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
    commit: cid,
    rev: '3lbfqv4pdl22k',
    since: '3lbfqv2yqkz2k',
    blocks: new Uint8Array(1500).fill(7),
    ops: [{ action: 'create', path: 'app.bsky.feed.post/3lbfqv4pdl22k', cid }],
    blobs: [],
    time: '2024-11-27T10:00:00.000Z',
  }
}

async function frames(): Promise<void> {
  const ours = commitLike(CID.parse(cidStr))
  const theirs = commitLike(MfCID.parse(cidStr))
  const bytes = encodeMessageFrame('#commit', ours)
  printComparison('encode #commit frame (1.5 KB blocks)', [
    await measure('stratus encodeMessageFrame', () => encodeMessageFrame('#commit', ours)),
    await measure('@atproto/xrpc-server', () =>
      new OfficialMessageFrame(theirs as never, { type: '#commit' }).toBytes(),
    ),
  ])
  printComparison('decode #commit frame', [
    await measure('stratus decodeFrame', () => decodeFrame(bytes)),
    await measure('@atproto/xrpc-server', () => OfficialFrame.fromBytes(bytes)),
  ])
}

/** Requests/s with `inFlight` concurrent keep-alive requests for about `ms`. */
async function load(name: string, port: number, req: () => http.RequestOptions & { body?: string }, ms = 2000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const { body, ...opts } = req()
      const r = http.request({ host: '127.0.0.1', port, agent, ...opts }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${name}: HTTP ${res.statusCode}`))
        res.resume()
        res.on('end', resolve)
      })
      r.on('error', reject)
      r.end(body)
    })
  const worker = async (until: number) => {
    let n = 0
    while (performance.now() < until) {
      await one()
      n++
    }
    return n
  }
  await Promise.all(Array.from({ length: 8 }, () => worker(performance.now() + 300)))
  const start = performance.now()
  const counts = await Promise.all(Array.from({ length: 8 }, () => worker(start + ms)))
  const elapsed = performance.now() - start
  agent.destroy()
  const n = counts.reduce((a, b) => a + b, 0)
  return { name, opsPerSec: (n * 1000) / elapsed, usPerOp: (elapsed * 1000) / n } satisfies Measured
}

/** Runs inside a child process: serves one implementation and reports its own CPU time on /cpu. */
async function serveChild(kind: string): Promise<void> {
  const cpu = () => {
    const u = process.cpuUsage()
    return { micros: u.user + u.system }
  }
  if (kind === 'stratus') {
    const router = createXrpcRouter({ lexicons: new Lexicons(TEST_LEXICONS), validateOutput: true })
    router.query('com.example.echoParams', ({ params }) => ({
      encoding: 'application/json',
      body: { ok: true, params },
    }))
    router.procedure('com.example.createThing', ({ input }) => ({
      encoding: 'application/json',
      body: { name: (input!.body as { name: string }).name },
    }))
    router.query('com.example.cpu', () => ({ encoding: 'application/json', body: cpu() }))
    const s = await serveFetch(router, { port: 0 })
    process.stdout.write(`${s.port}\n`)
    return
  }
  const official = createServer(TEST_LEXICONS as never)
  official.method('com.example.echoParams', async ({ params }) => ({
    encoding: 'application/json',
    body: { ok: true, params },
  }))
  official.method('com.example.createThing', async ({ input }) => ({
    encoding: 'application/json',
    body: { name: (input!.body as { name: string }).name },
  }))
  official.router.get('/cpu', (_req: unknown, res: { json(v: unknown): void }) => {
    res.json(cpu())
  })
  const server = official.router.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`)
}

async function spawnServer(kind: string): Promise<{ port: number; cpu: () => Promise<number>; kill: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, XRPC_BENCH_CHILD: kind },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())))
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)))
  })
  const cpu = async () => {
    const r = await fetch(`http://127.0.0.1:${port}${kind === 'stratus' ? '/xrpc/com.example.cpu' : '/cpu'}`)
    return ((await r.json()) as { micros: number }).micros
  }
  return { port, cpu, kill: () => child.kill() }
}

/** Throughput and the server's own CPU per request (robust on a busy machine). */
async function measureServer(kind: string, label: string, req: () => http.RequestOptions & { body?: string }) {
  const server = await spawnServer(kind)
  try {
    await load(label, server.port, req, 500) // warm-up (JIT)
    const before = await server.cpu()
    const rate = await load(label, server.port, req)
    const cpuPerReq = (await server.cpu()) - before
    const requests = (rate.opsPerSec * 2000) / 1000
    const us = cpuPerReq / requests
    return { rate, cpu: { name: label, opsPerSec: 1e6 / us, usPerOp: us } satisfies Measured }
  } finally {
    server.kill()
  }
}

async function roundTrips(): Promise<void> {
  const query = () => ({ method: 'GET', path: '/xrpc/com.example.echoParams?did=did:plc:abc&limit=20&tags=a&tags=b' })
  const body = JSON.stringify({ name: 'thing', ref: { $link: cidStr }, data: { $bytes: 'AAECAwQFBgc' } })
  const proc = () => ({
    method: 'POST',
    path: '/xrpc/com.example.createThing',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body,
  })
  for (const [title, req] of [
    ['GET query, params coerced + output validated', query],
    ['POST procedure, JSON input validated', proc],
  ] as const) {
    const ours = await measureServer('stratus', 'stratus router + serveFetch', req)
    const theirs = await measureServer('official', '@atproto/xrpc-server (express)', req)
    printComparison(`${title}: requests/s, 8 in flight`, [ours.rate, theirs.rate])
    printComparison(`${title}: server CPU per request (as ops/s of CPU)`, [ours.cpu, theirs.cpu])
  }
}

if (process.env.XRPC_BENCH_CHILD) await serveChild(process.env.XRPC_BENCH_CHILD)

export default async function () {
  await frames()
  await roundTrips()
}
