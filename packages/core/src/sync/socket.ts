/**
 * Raw WebSocket messages as an async iterable (for JSON streams; binary event streams go through
 * xrpc `subscribe`). Pauses the socket while `highWater` messages wait (Node); where pausing is impossible
 * (browsers) a consumer more than `maxBufferedBytes` behind is an error. A clean close (1000) ends the
 * iteration; any other close or error throws, so the caller can reconnect.
 */
import { openWebSocket } from '#platform/websocket'
import { StreamClosedError } from '../xrpc/index.ts'

export interface SocketMessagesOptions {
  signal?: AbortSignal
  headers?: Record<string, string>
  maxMessageBytes?: number
  highWater?: number
  maxBufferedBytes?: number
}

export async function* socketMessages(url: string, opts: SocketMessagesOptions = {}): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = []
  let bytes = 0
  let ended = false
  let paused = false
  let error: Error | undefined
  let wake: (() => void) | undefined
  const notify = () => {
    const w = wake
    wake = undefined
    w?.()
  }
  const high = opts.highWater ?? 256
  const maxBytes = opts.maxBufferedBytes ?? 64 * 1024 * 1024
  const fail = (err: Error) => {
    error ??= err
    ended = true
    notify()
  }
  if (opts.signal?.aborted) return
  const socket = openWebSocket(
    url,
    {
      onOpen: () => {},
      onMessage: (data) => {
        if (ended) return
        queue.push(data)
        bytes += data.byteLength
        if (socket.canPause && queue.length >= high && !paused) {
          paused = true
          socket.pause()
        } else if (!socket.canPause && bytes > maxBytes) {
          fail(new Error('JSON stream consumer too slow'))
          socket.close(1000)
        }
        notify()
      },
      onClose: (code, reason) => {
        if (!ended && code !== 1000) error ??= new StreamClosedError(code, reason)
        ended = true
        notify()
      },
      onError: (err) => fail(err),
    },
    { headers: opts.headers, maxPayload: opts.maxMessageBytes ?? 4 * 1024 * 1024 },
  )
  const onAbort = () => {
    ended = true
    notify()
  }
  opts.signal?.addEventListener('abort', onAbort)
  try {
    while (true) {
      if (queue.length === 0) {
        if (error) throw error
        if (ended) return
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        continue
      }
      const msg = queue.shift() as Uint8Array
      bytes -= msg.byteLength
      if (paused && queue.length <= high / 2) {
        paused = false
        socket.resume()
      }
      yield msg
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    ended = true
    socket.close(1000)
  }
}
