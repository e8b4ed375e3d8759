/**
 * Firehose delivery: events/s one subscriber receives from our PDS over a loopback WebSocket, for replay
 * (cursor 0 over a log of single-record #commit events) and live (events written by the in-process write
 * path while the subscriber reads). Both run in one process on this machine, so the live figure includes
 * the cost of making the commits. The official PDS is not measured here (see the PDS bench for that).
 */
import { WebSocket } from 'ws'
import { prepareRecordWrite } from '../packages/server/src/pds/repo/prepare.ts'
import { startTestPds, type TestPds } from '../packages/server/src/pds/test-util.ts'
import { printTable } from './lib.ts'

const N = 10_000

function writeOne(t: TestPds, did: string, i: number): void {
  const ctx = t.pds.ctx
  const write = prepareRecordWrite(ctx.lexicons, {
    action: 'create',
    collection: 'app.bsky.feed.post',
    record: {
      $type: 'app.bsky.feed.post',
      text: `post number ${i} with a little text`,
      createdAt: new Date().toISOString(),
    },
  })
  ;(ctx.repo as { processWrites(did: string, w: unknown[]): unknown }).processWrites(did, [write])
}

/** Connects (cursor given) and resolves once `count` frames have arrived: elapsed ms from open, bytes. */
function receive(url: string, count: number, cursor: number): Promise<{ ms: number; bytes: number }> {
  const u = new URL('/xrpc/com.atproto.sync.subscribeRepos', url.replace(/^http/, 'ws'))
  u.searchParams.set('cursor', String(cursor))
  const ws = new WebSocket(u)
  let n = 0
  let bytes = 0
  let start = 0
  return new Promise((resolve) => {
    ws.on('open', () => {
      start = performance.now()
    })
    ws.on('message', (d: Buffer) => {
      bytes += d.length
      if (++n === count) {
        resolve({ ms: performance.now() - start, bytes })
        ws.close()
      }
    })
  })
}

export default async function () {
  const t = await startTestPds({ rateLimits: false })
  try {
    const res = await fetch(`${t.url}/xrpc/com.atproto.server.createAccount`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'bench.test', email: 'bench@example.com', password: 'pw' }),
    })
    const { did } = (await res.json()) as { did: string }
    for (let i = 0; i < N; i++) writeOne(t, did, i)
    const total = t.pds.ctx.sequencer?.currentSeq() ?? 0
    const replay = await receive(t.url, total, 0)

    // Live: subscribe, then write as fast as the write path goes, yielding so the socket can send.
    const liveCount = 5000
    const startSeq = t.pds.ctx.sequencer?.currentSeq() ?? 0
    const u = new URL('/xrpc/com.atproto.sync.subscribeRepos', t.url.replace(/^http/, 'ws'))
    const ws = new WebSocket(u)
    await new Promise((r) => ws.once('open', r))
    let got = 0
    const done = new Promise<void>((resolve) => {
      ws.on('message', () => {
        if (++got === liveCount) resolve()
      })
    })
    const t0 = performance.now()
    for (let i = 0; i < liveCount; i++) {
      writeOne(t, did, N + i)
      if (i % 20 === 0) await new Promise((r) => setImmediate(r))
    }
    const writtenMs = performance.now() - t0
    await done
    const liveMs = performance.now() - t0
    ws.close()
    if ((t.pds.ctx.sequencer?.currentSeq() ?? 0) - startSeq !== liveCount) throw new Error('unexpected event count')
    printTable(
      'subscribeRepos, one subscriber, loopback',
      ['mode', 'events', 'seconds', 'events/s', 'MB/s'],
      [
        [
          'replay (cursor 0)',
          total,
          replay.ms / 1000,
          (total * 1000) / replay.ms,
          replay.bytes / 1e6 / (replay.ms / 1000),
        ],
        ['live (incl. writes)', liveCount, liveMs / 1000, (liveCount * 1000) / liveMs, '-'],
        ['  write path alone', liveCount, writtenMs / 1000, (liveCount * 1000) / writtenMs, '-'],
      ],
    )
  } finally {
    await t.close()
  }
}
