/**
 * Helpers for the relay's cross-service tests: a relay in a temporary directory, crawl requests, and a
 * firehose reader that collects decoded frames until a condition holds (or fails after a timeout).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type MessageFrame, subscribe } from '@stratus/core/xrpc'
import pino from 'pino'
import { type Relay, type RelayConfigInput, startRelay } from '../src/relay/index.ts'

export interface TestRelay {
  relay: Relay
  dataDir: string
  url: string
  /** Closes the relay; keeps the data directory when `keepData` (for restart tests). */
  close(keepData?: boolean): Promise<void>
}

export async function startTestRelay(cfg: RelayConfigInput = {}, dataDir?: string): Promise<TestRelay> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'stratus-relay-'))
  const relay = await startRelay(
    {
      port: 0,
      devMode: true,
      dataDir: dir,
      fsync: false,
      verifyWorkers: 1,
      minBackoffMs: 100,
      maxBackoffMs: 1000,
      logLevel: 'silent',
      ...cfg,
    },
    { logger: pino({ level: process.env.RELAY_TEST_LOG ?? 'silent' }) },
  )
  return {
    relay,
    dataDir: dir,
    url: relay.url,
    async close(keepData = false) {
      await relay.close()
      if (!keepData) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** `localhost:<port>` for a loopback service URL. */
export function hostnameOf(url: string): string {
  const u = new URL(url)
  return `localhost:${u.port}`
}

export async function requestCrawl(relayUrl: string, hostname: string): Promise<Response> {
  return fetch(`${relayUrl}/xrpc/com.atproto.sync.requestCrawl`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hostname }),
  })
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { redirect: 'manual' })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

export interface Collected {
  frames: MessageFrame[]
  /** Error thrown by the stream, if it ended with one. */
  error?: unknown
}

/**
 * Reads `url`'s subscribeRepos (from `cursor` if given) until `done(frames)` holds, then disconnects.
 * Fails if that does not happen within `timeoutMs`.
 */
export async function collect(
  url: string,
  opts: { cursor?: number; done: (frames: MessageFrame[]) => boolean; timeoutMs?: number; path?: string },
): Promise<MessageFrame[]> {
  const frames: MessageFrame[] = []
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(new Error('collect timed out')), opts.timeoutMs ?? 20_000)
  const endpoint = `${url}${opts.path ?? '/xrpc/com.atproto.sync.subscribeRepos'}`
  try {
    if (opts.done(frames)) return frames
    const params = opts.cursor === undefined ? undefined : { cursor: opts.cursor }
    for await (const f of subscribe(endpoint, { params, signal: abort.signal })) {
      frames.push(f)
      if (opts.done(frames)) break
    }
  } catch (err) {
    const got = frames.map((f) => `${f.header.t}:${(f.body as { seq?: number }).seq}`).join(' ')
    throw new Error(`${(err as Error).message}; got ${frames.length} frames: ${got.slice(0, 2000)}`)
  } finally {
    clearTimeout(timer)
  }
  return frames
}

/** Polls until `cond` is true. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition') {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface CommitKey {
  seq: number
  did: string
  rev: string
  commit: string
}

/** The #commit frames as (seq, did, rev, commit CID). */
export function commitsOf(frames: MessageFrame[]): CommitKey[] {
  return frames
    .filter((f) => f.header.t === '#commit')
    .map((f) => {
      const b = f.body as unknown as { seq: number; repo: string; rev: string; commit: { toString(): string } }
      return { seq: b.seq, did: b.repo, rev: b.rev, commit: b.commit.toString() }
    })
}
