/**
 * Following a relay's (or PDS's) `com.atproto.sync.subscribeRepos` stream with reconnection: on any drop
 * it reconnects with exponential backoff from the cursor the caller reports (the last message it took),
 * skips messages at or below that seq (a replayed overlap), and starts without a cursor after FutureCursor
 * (the server's sequence was reset). Malformed messages are reported and skipped; a malformed frame drops
 * the connection (the spec makes that fatal) and reconnects. Nothing here verifies commits (repo-check.ts).
 */
import { XRPCError, subscribe } from '../xrpc/index.ts'
import { MessageError, type RepoMessage, parseRepoMessage } from './messages.ts'

export interface ReconnectOptions {
  /** First delay, ms (default 250); doubled per failed attempt up to maxDelayMs (default 30 s). */
  minDelayMs?: number
  maxDelayMs?: number
}

export interface FollowOptions extends ReconnectOptions {
  /** Cursor to (re)connect from; asked at every connection. */
  cursor?: () => number | undefined
  signal?: AbortSignal
  headers?: Record<string, string>
  /** Called with connection errors, FutureCursor resets and malformed messages (the stream carries on). */
  onError?: (err: unknown) => void
}

/** `https://relay` → `wss://relay/xrpc/com.atproto.sync.subscribeRepos` (a full /xrpc/ URL is kept). */
export function firehoseUrl(service: string): string {
  const u = new URL(service)
  if (!u.pathname.includes('/xrpc/'))
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/xrpc/com.atproto.sync.subscribeRepos`
  return u.toString()
}

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done)
  })
}

export async function* followFirehose(service: string, opts: FollowOptions = {}): AsyncGenerator<RepoMessage> {
  const url = firehoseUrl(service)
  const report = opts.onError ?? (() => {})
  const minDelay = opts.minDelayMs ?? 250
  const maxDelay = opts.maxDelayMs ?? 30_000
  let delay = minDelay
  let dropCursor = false
  while (!opts.signal?.aborted) {
    const cursor = dropCursor ? undefined : opts.cursor?.()
    dropCursor = false
    let last = cursor
    try {
      const params = cursor === undefined ? undefined : { cursor }
      for await (const frame of subscribe(url, { params, signal: opts.signal, headers: opts.headers })) {
        let msg: RepoMessage
        try {
          msg = parseRepoMessage(frame.header.t, frame.body)
        } catch (err) {
          if (err instanceof MessageError) {
            report(err)
            continue
          }
          throw err
        }
        delay = minDelay
        const seq = 'seq' in msg ? msg.seq : undefined
        if (seq !== undefined) {
          if (last !== undefined && seq <= last) continue
          last = seq
        }
        yield msg
      }
    } catch (err) {
      if (opts.signal?.aborted) return
      if (err instanceof XRPCError && err.error === 'FutureCursor') dropCursor = true
      report(err)
    }
    await sleep(delay, opts.signal)
    delay = Math.min(delay * 2, maxDelay)
  }
}
