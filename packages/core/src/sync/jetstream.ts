/**
 * Following a Jetstream-style JSON stream: one JSON object per WebSocket message,
 * `{did, time_us, kind: 'commit' | 'identity' | 'account', commit?: {rev, operation, collection, rkey,
 * record?, cid?}, identity?: {handle?}, account?: {active, status?}}`, resumed with `?cursor=<time_us>` and
 * filtered server-side with repeated `wantedCollections` / `wantedDids` parameters.
 *
 * JSON streams carry no commits, signatures or proofs: their events are only as trustworthy as the
 * stream's operator. Use the binary firehose when you need verified data. Malformed messages are reported
 * and skipped; reconnection works as for the firehose (cursor = last time_us taken).
 */
import { CID, jsonToLex } from '../data/index.ts'
import { isValidDid, isValidNsid, isValidRecordKey } from '../syntax/index.ts'
import { sleep } from './firehose.ts'
import { socketMessages } from './socket.ts'
import type { AccountEvent, IdentityEvent, RecordEvent } from './types.ts'

export type JetstreamEvent = (RecordEvent | IdentityEvent | AccountEvent) & { seq: number }

export interface JetstreamOptions {
  cursor?: () => number | undefined
  wantedCollections?: string[]
  wantedDids?: string[]
  signal?: AbortSignal
  minDelayMs?: number
  maxDelayMs?: number
  onError?: (err: unknown) => void
}

export class JetstreamMessageError extends Error {
  override name = 'JetstreamMessageError'
}

type Json = Record<string, unknown>
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses one JSON-stream message; undefined for kinds this kit does not deliver. Throws on malformed input. */
export function parseJetstreamMessage(text: string): JetstreamEvent | undefined {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    throw new JetstreamMessageError('message is not JSON')
  }
  if (!isObj(m) || typeof m.did !== 'string' || !isValidDid(m.did)) throw new JetstreamMessageError('bad did')
  const seq = m.time_us
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) throw new JetstreamMessageError('bad time_us')
  const did = m.did
  const time = new Date(Math.floor(seq / 1000)).toISOString()
  if (m.kind === 'identity' && isObj(m.identity)) {
    const handle = typeof m.identity.handle === 'string' ? m.identity.handle : undefined
    return { type: 'identity', did, handle, seq, time }
  }
  if (m.kind === 'account' && isObj(m.account) && typeof m.account.active === 'boolean') {
    const status = typeof m.account.status === 'string' ? m.account.status : undefined
    return { type: 'account', did, active: m.account.active, status, seq, time }
  }
  if (m.kind !== 'commit' || !isObj(m.commit)) return undefined
  return parseCommit(did, m.commit, seq, time)
}

function parseCommit(did: string, c: Json, seq: number, time: string): JetstreamEvent {
  const { rev, operation, collection, rkey } = c
  if (typeof rev !== 'string') throw new JetstreamMessageError('bad rev')
  if (typeof collection !== 'string' || !isValidNsid(collection)) throw new JetstreamMessageError('bad collection')
  if (typeof rkey !== 'string' || !isValidRecordKey(rkey)) throw new JetstreamMessageError('bad rkey')
  const base = {
    did,
    collection,
    rkey,
    uri: `at://${did}/${collection}/${rkey}`,
    rev,
    source: 'jetstream' as const,
    seq,
    time,
  }
  if (operation === 'delete') return { type: 'delete', ...base }
  if (operation !== 'create' && operation !== 'update') throw new JetstreamMessageError('bad operation')
  if (typeof c.cid !== 'string' || !isObj(c.record))
    throw new JetstreamMessageError('create/update without cid or record')
  let cid: CID
  try {
    cid = CID.parse(c.cid)
  } catch {
    throw new JetstreamMessageError('bad cid')
  }
  return { type: operation, ...base, cid, record: jsonToLex(c.record) }
}

/** `wss://host/subscribe` with the filter and cursor parameters. */
export function jetstreamUrl(service: string, opts: JetstreamOptions, cursor?: number): string {
  const u = new URL(service)
  if (u.protocol === 'http:') u.protocol = 'ws:'
  else if (u.protocol === 'https:') u.protocol = 'wss:'
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/subscribe'
  for (const c of opts.wantedCollections ?? []) u.searchParams.append('wantedCollections', c)
  for (const d of opts.wantedDids ?? []) u.searchParams.append('wantedDids', d)
  if (cursor !== undefined) u.searchParams.set('cursor', String(cursor))
  return u.toString()
}

export async function* followJetstream(service: string, opts: JetstreamOptions = {}): AsyncGenerator<JetstreamEvent> {
  const report = opts.onError ?? (() => {})
  const minDelay = opts.minDelayMs ?? 250
  const maxDelay = opts.maxDelayMs ?? 30_000
  let delay = minDelay
  const decoder = new TextDecoder()
  while (!opts.signal?.aborted) {
    let last = opts.cursor?.()
    try {
      for await (const bytes of socketMessages(jetstreamUrl(service, opts, last), { signal: opts.signal })) {
        let evt: JetstreamEvent | undefined
        try {
          evt = parseJetstreamMessage(decoder.decode(bytes))
        } catch (err) {
          report(err)
          continue
        }
        delay = minDelay
        if (!evt || (last !== undefined && evt.seq < last)) continue
        last = evt.seq
        yield evt
      }
    } catch (err) {
      if (opts.signal?.aborted) return
      report(err)
    }
    await sleep(delay, opts.signal)
    delay = Math.min(delay * 2, maxDelay)
  }
}
