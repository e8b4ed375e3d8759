/**
 * Serving one subscription on an accepted WebSocket: params and auth are checked first (failures go out as
 * an error frame, as the spec wants for connection-time errors), then the handler's async iterable is
 * pulled one message at a time and each message is sent as a binary frame. Errors thrown by the handler
 * become an error frame followed by a close. Frames sent by the client are ignored.
 *
 * Backpressure: messages are pulled only while the socket's send buffer is below `highWaterBytes`; above it
 * we wait for the buffer to flush. A consumer that does not drain within `drainTimeoutMs`, or whose buffer
 * passes `maxBufferedBytes`, is dropped (ConsumerTooSlow error frame, close, then termination) instead of
 * being buffered for without bound. The handler's iterator is always returned, so its cleanup runs.
 */
import { encodeErrorFrame, encodeMessageFrame, XRPCError } from '@stratus/core/xrpc'
import type { WebSocket } from 'ws'
import type { SubscriptionContext, SubscriptionMessage } from './types.ts'

export interface SubscriptionLimits {
  /** Pause pulling messages above this many buffered bytes. Default 1 MiB. */
  highWaterBytes?: number
  /** Drop the consumer above this many buffered bytes. Default 16 MiB. */
  maxBufferedBytes?: number
  /** Drop the consumer if a full buffer does not drain within this time. Default 10 s. */
  drainTimeoutMs?: number
}

export interface RunSubscription {
  ws: WebSocket
  limits: SubscriptionLimits
  /** Params and auth: throws XRPCError to refuse the subscription. */
  prepare: () => Promise<Omit<SubscriptionContext, 'signal'>>
  open: (ctx: SubscriptionContext) => AsyncIterable<SubscriptionMessage>
  checkMessage?: (t: string, body: unknown) => void
  onError: (err: unknown) => void
}

class ConsumerTooSlow extends Error {}

export async function runSubscription(run: RunSubscription): Promise<void> {
  const { ws } = run
  const abort = new AbortController()
  const closed = new Promise<'closed'>((resolve) => {
    ws.on('close', () => {
      abort.abort(new Error('consumer disconnected'))
      resolve('closed')
    })
  })
  ws.on('error', () => {})
  ws.on('message', () => {})
  const sender = new Sender(ws, run.limits)
  let iterator: AsyncIterator<SubscriptionMessage> | undefined
  let finished = false
  try {
    const ctx = { ...(await run.prepare()), signal: abort.signal }
    iterator = run.open(ctx)[Symbol.asyncIterator]()
    while (!abort.signal.aborted) {
      // A live source may wait long for its next event: stop waiting as soon as the consumer leaves.
      const next = await Promise.race([iterator.next(), closed])
      if (next === 'closed') break
      if (next.done) {
        finished = true
        break
      }
      await sender.send(frameOf(next.value, run.checkMessage))
    }
    if (ws.readyState === ws.OPEN) ws.close(1000)
  } catch (err) {
    closeWithError(ws, err, run.onError)
  } finally {
    // Not awaited: a source blocked in next() only completes return() after that next() settles.
    if (iterator?.return && !finished) Promise.resolve(iterator.return()).catch(run.onError)
  }
}

function frameOf(msg: SubscriptionMessage, check?: (t: string, body: unknown) => void): Uint8Array {
  if (msg instanceof Uint8Array) return msg
  check?.(msg.t, msg.body)
  return encodeMessageFrame(msg.t, msg.body)
}

function closeWithError(ws: WebSocket, err: unknown, onError: (err: unknown) => void): void {
  if (ws.readyState !== ws.OPEN) return
  if (err instanceof ConsumerTooSlow) {
    ws.send(encodeErrorFrame('ConsumerTooSlow', 'Stream consumer too slow'))
    ws.close(1008, 'consumer too slow')
    // The close handshake cannot finish behind a stuck buffer: free the socket soon regardless.
    setTimeout(() => ws.terminate(), 1000).unref()
    return
  }
  if (err instanceof XRPCError) {
    ws.send(encodeErrorFrame(err.error, err.message))
    ws.close(1008, err.error.slice(0, 100))
    return
  }
  onError(err)
  ws.send(encodeErrorFrame('InternalServerError', 'Internal Server Error'))
  ws.close(1011)
}

/** Sends frames, waiting for the socket to drain above the high-water mark and dropping stuck consumers. */
class Sender {
  readonly #ws: WebSocket
  readonly #high: number
  readonly #max: number
  readonly #timeout: number
  #lastFlushed: Promise<void> = Promise.resolve()

  constructor(ws: WebSocket, limits: SubscriptionLimits) {
    this.#ws = ws
    this.#high = limits.highWaterBytes ?? 1024 * 1024
    this.#max = limits.maxBufferedBytes ?? 16 * 1024 * 1024
    this.#timeout = limits.drainTimeoutMs ?? 10_000
  }

  async send(frame: Uint8Array): Promise<void> {
    const ws = this.#ws
    if (ws.readyState !== ws.OPEN) return
    this.#lastFlushed = new Promise<void>((resolve) => ws.send(frame, { binary: true }, () => resolve()))
    if (ws.bufferedAmount > this.#max) throw new ConsumerTooSlow()
    if (ws.bufferedAmount <= this.#high) return
    // The callback of the latest send fires once everything before it has been handed to the kernel.
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#timeout)
    })
    const outcome = await Promise.race([this.#lastFlushed.then(() => 'drained' as const), timedOut])
    clearTimeout(timer)
    if (outcome === 'timeout' && ws.readyState === ws.OPEN) throw new ConsumerTooSlow()
  }
}
