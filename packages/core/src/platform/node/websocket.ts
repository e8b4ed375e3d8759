import WebSocket from 'ws'

/**
 * WebSocket client on Node through `ws` (Node 20 has no global WebSocket). Supports pausing the socket
 * (TCP backpressure toward the server), request headers, a cap on incoming message size, and reports the
 * HTTP status when the server refuses the upgrade.
 */
export interface SocketEvents {
  onOpen(): void
  onMessage(data: Uint8Array): void
  onClose(code: number, reason: string): void
  /** `status` is set when the server answered the upgrade with a plain HTTP response. */
  onError(err: Error, status?: number, body?: string): void
}

export interface SocketOptions {
  headers?: Record<string, string>
  /** Largest message accepted; bigger ones close the connection with an error. */
  maxPayload: number
}

export interface PlatformSocket {
  readonly canPause: boolean
  pause(): void
  resume(): void
  close(code?: number, reason?: string): void
}

const MAX_ERROR_BODY = 16 * 1024

export function openWebSocket(url: string, events: SocketEvents, opts: SocketOptions): PlatformSocket {
  const ws = new WebSocket(url, { headers: opts.headers, maxPayload: opts.maxPayload })
  ws.binaryType = 'nodebuffer'
  ws.on('open', () => events.onOpen())
  ws.on('message', (data: Buffer) => events.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)))
  ws.on('close', (code, reason) => events.onClose(code, reason.toString('utf8')))
  ws.on('error', (err) => events.onError(err))
  ws.on('unexpected-response', (_req, res) => {
    let body = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      if (body.length < MAX_ERROR_BODY) body += chunk
    })
    const finish = () => {
      events.onError(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`), res.statusCode, body)
      ws.terminate()
    }
    res.on('end', finish)
    res.on('error', finish)
  })
  return {
    canPause: true,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: (code, reason) => {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate()
      else ws.close(code, reason)
    },
  }
}
