/**
 * A Jetstream-style JSON stream at `/subscribe`, for apps that want records as JSON rather than CBOR and
 * CAR slices. Messages follow Jetstream's shape, one per record operation:
 *
 *   {"did","time_us","kind":"commit","commit":{"rev","operation","collection","rkey","record","cid"}}
 *   {"did","time_us","kind":"identity","identity":{"did","handle","seq","time"}}
 *   {"did","time_us","kind":"account","account":{"active","did","seq","time","status"}}
 *
 * Records are the data-model JSON form (lexToJson: links as {$link}, bytes as {$bytes}); deletes carry no
 * record or cid. #sync events have no Jetstream form and are skipped. `time_us` is the relay's receive
 * time, unique and increasing, and is the cursor: `cursor=<unix µs>` replays from the first event at or
 * after that time (the same semantics as Jetstream). Query parameters: `wantedCollections` (NSIDs or
 * `prefix.*`, up to 100; filters commits only), `wantedDids` (up to 10,000; filters everything), `cursor`.
 * Not supported: zstd compression, requireHello / options updates sent by the client.
 */
import { type CID, decodeCbor, lexToJson, readCar } from '@stratus/core/data'
import { isValidDid, isValidNsid } from '@stratus/core/syntax'
import { decodeFrame } from '@stratus/core/xrpc'
import type { WebSocket } from 'ws'
import type { UpgradeResult } from '../../http/index.ts'
import type { LogEntry } from '../log/record.ts'
import { StreamConsumer } from './consumer.ts'
import type { StreamDeps } from './firehose.ts'
import type { JsonMessage, OutEntry } from './sequencer.ts'

interface RepoOpLike {
  action: string
  path: string
  cid: CID | null
}

function commitMessages(did: string, timeUs: number, body: Record<string, unknown>): JsonMessage[] {
  const blocks = readCar(body.blocks as Uint8Array).blocks
  const out: JsonMessage[] = []
  for (const op of body.ops as RepoOpLike[]) {
    const slash = op.path.indexOf('/')
    const collection = op.path.slice(0, slash)
    const commit: Record<string, unknown> = {
      rev: body.rev,
      operation: op.action,
      collection,
      rkey: op.path.slice(slash + 1),
    }
    if (op.cid) {
      const bytes = blocks.get(op.cid.toString())
      if (bytes) commit.record = lexToJson(decodeCbor(bytes))
      commit.cid = op.cid.toString()
    }
    out.push({ did, collection, text: JSON.stringify({ did, time_us: timeUs, kind: 'commit', commit }) })
  }
  return out
}

/** The Jetstream messages of one log entry (computed once per entry for live consumers). */
export function jetstreamMessages(entry: LogEntry): JsonMessage[] {
  try {
    const { header, body } = decodeFrame(entry.frame)
    const b = body as Record<string, unknown>
    switch (header.t) {
      case '#commit':
        return commitMessages(b.repo as string, entry.timeUs, b)
      case '#identity': {
        const identity = { did: b.did, handle: b.handle, seq: b.seq, time: b.time }
        return [
          {
            did: String(b.did),
            text: JSON.stringify({ did: b.did, time_us: entry.timeUs, kind: 'identity', identity }),
          },
        ]
      }
      case '#account': {
        const account = { active: b.active, did: b.did, seq: b.seq, time: b.time, status: b.status }
        return [
          { did: String(b.did), text: JSON.stringify({ did: b.did, time_us: entry.timeUs, kind: 'account', account }) },
        ]
      }
      default:
        return []
    }
  } catch {
    return []
  }
}

export interface JetstreamFilter {
  collections: Set<string>
  prefixes: string[]
  dids: Set<string>
}

export class FilterError extends Error {}

function listParam(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

export function parseJetstreamFilter(params: URLSearchParams): JetstreamFilter {
  const filter: JetstreamFilter = { collections: new Set(), prefixes: [], dids: new Set() }
  const cols = listParam(params, 'wantedCollections')
  if (cols.length > 100) throw new FilterError('at most 100 wantedCollections')
  for (const c of cols) {
    if (c.endsWith('.*') && isValidNsid(`${c.slice(0, -2)}.x`)) filter.prefixes.push(c.slice(0, -1))
    else if (isValidNsid(c)) filter.collections.add(c)
    else throw new FilterError(`invalid collection: ${c.slice(0, 100)}`)
  }
  const dids = listParam(params, 'wantedDids')
  if (dids.length > 10_000) throw new FilterError('at most 10000 wantedDids')
  for (const d of dids) {
    if (!isValidDid(d)) throw new FilterError(`invalid DID: ${d.slice(0, 100)}`)
    filter.dids.add(d)
  }
  return filter
}

function wants(f: JetstreamFilter, m: JsonMessage): boolean {
  if (m.collection === undefined) return true
  if (f.collections.size === 0 && f.prefixes.length === 0) return true
  return f.collections.has(m.collection) || f.prefixes.some((p) => m.collection?.startsWith(p))
}

function renderFor(f: JetstreamFilter) {
  return (e: LogEntry & Partial<OutEntry>): string[] => {
    if (e.did !== undefined && f.dids.size > 0 && !f.dids.has(e.did)) return []
    if (e.kind === '#sync') return []
    e.json ??= jetstreamMessages(e)
    const out: string[] = []
    for (const m of e.json) {
      if (f.dids.size > 0 && !f.dids.has(m.did)) continue
      if (wants(f, m)) out.push(m.text)
    }
    return out
  }
}

export function jetstreamUpgrade(req: Request, deps: StreamDeps): UpgradeResult {
  if (deps.broadcaster.consumers.size >= deps.maxConsumers) {
    return Response.json({ error: 'RateLimitExceeded', message: 'Too many consumers' }, { status: 429 })
  }
  const params = new URL(req.url).searchParams
  let filter: JetstreamFilter
  try {
    filter = parseJetstreamFilter(params)
  } catch (err) {
    return Response.json({ error: 'InvalidRequest', message: (err as Error).message }, { status: 400 })
  }
  const raw = params.get('cursor')
  if (raw !== null && !/^\d{1,17}$/.test(raw)) {
    return Response.json({ error: 'InvalidRequest', message: 'cursor must be unix microseconds' }, { status: 400 })
  }
  return (ws: WebSocket) => {
    const { log } = deps
    const open = (next: number) => {
      if (ws.readyState !== ws.OPEN) return
      const c = new StreamConsumer(ws, log, next, renderFor(filter), deps.limits, deps.broadcaster.remove)
      deps.broadcaster.add(c)
      c.start()
    }
    if (raw === null) return open(log.lastSeq + 1)
    log.seqAtTime(Number(raw)).then(
      (seq) => open(seq ?? log.lastSeq + 1),
      () => ws.close(1011),
    )
  }
}
