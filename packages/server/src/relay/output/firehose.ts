/**
 * `com.atproto.sync.subscribeRepos` as the relay serves it: the relay's own sequence, replayable from a
 * cursor within the retention window, with the PDS cursor semantics — no cursor: live from now; a cursor
 * ahead of the stream: FutureCursor error; a cursor older than what is kept: an #info OutdatedCursor
 * message, then replay from the oldest event kept; otherwise replay after the cursor, then live.
 *
 * Served on a raw upgrade (not the XRPC router's generic subscription loop) because a relay's fan-out is
 * its hottest path: each published batch is framed once as WebSocket messages (wire.ts) and that one buffer
 * is written to every live consumer with a single socket write, without per-message promises or
 * per-consumer copies (consumer.ts); replay from the log is framed the same way, one buffer per read.
 */
import { encodeFrame } from '@stratus/core/xrpc'
import { encodeErrorFrame } from '@stratus/core/xrpc'
import type { WebSocket } from 'ws'
import type { UpgradeResult } from '../../http/index.ts'
import type { EventLog } from '../log/event-log.ts'
import { type Broadcaster, type ConsumerLimits, StreamConsumer } from './consumer.ts'
import { wsBinaryMessages } from './wire.ts'

export interface StreamDeps {
  log: EventLog
  broadcaster: Broadcaster
  limits: ConsumerLimits
  maxConsumers: number
}

const OUTDATED = encodeFrame(
  { op: 1, t: '#info' },
  { name: 'OutdatedCursor', message: 'Requested cursor exceeded limit. Possibly missing events' },
)

function refuse(ws: WebSocket, error: string, message: string): void {
  ws.send(encodeErrorFrame(error, message))
  ws.close(1008, error)
}

const renderFrame = (e: { frame: Uint8Array }) => [e.frame]

export function firehoseUpgrade(req: Request, deps: StreamDeps): UpgradeResult {
  if (deps.broadcaster.consumers.size >= deps.maxConsumers) {
    return Response.json({ error: 'RateLimitExceeded', message: 'Too many consumers' }, { status: 429 })
  }
  const raw = new URL(req.url).searchParams.get('cursor')
  return (ws: WebSocket) => {
    const { log } = deps
    let next = log.lastSeq + 1
    if (raw !== null) {
      if (!/^\d{1,16}$/.test(raw)) return refuse(ws, 'InvalidRequest', 'cursor must be a non-negative integer')
      const cursor = Number(raw)
      if (cursor > log.lastSeq) return refuse(ws, 'FutureCursor', 'Cursor in the future.')
      const oldest = log.oldestSeq ?? log.lastSeq + 1
      if (cursor + 1 < oldest) ws.send(OUTDATED)
      next = Math.max(cursor + 1, oldest)
    }
    const c = new StreamConsumer(ws, log, next, renderFrame, deps.limits, deps.broadcaster.remove, wsBinaryMessages)
    deps.broadcaster.add(c)
    c.start()
  }
}
