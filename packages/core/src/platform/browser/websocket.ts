/**
 * WebSocket client in browsers: the global WebSocket. It cannot pause (no backpressure toward the
 * server), cannot send request headers, and does not reveal the HTTP status of a refused upgrade.
 */
export interface SocketEvents {
  onOpen(): void
  onMessage(data: Uint8Array): void
  onClose(code: number, reason: string): void
  onError(err: Error, status?: number, body?: string): void
}

export interface SocketOptions {
  headers?: Record<string, string>
  maxPayload: number
}

export interface PlatformSocket {
  readonly canPause: boolean
  pause(): void
  resume(): void
  close(code?: number, reason?: string): void
}

export function openWebSocket(url: string, events: SocketEvents, opts: SocketOptions): PlatformSocket {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  let closed = false
  ws.onopen = () => events.onOpen()
  ws.onmessage = (ev: MessageEvent) => {
    if (closed) return
    const data = ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : new TextEncoder().encode(String(ev.data))
    if (data.byteLength > opts.maxPayload) {
      closed = true
      events.onError(new Error(`message of ${data.byteLength} bytes exceeds ${opts.maxPayload}`))
      ws.close(1009, 'message too big')
      return
    }
    events.onMessage(data)
  }
  ws.onerror = () => events.onError(new Error('WebSocket error'))
  ws.onclose = (ev: CloseEvent) => events.onClose(ev.code, ev.reason)
  return {
    canPause: false,
    pause: () => {},
    resume: () => {},
    close: (code, reason) => ws.close(code, reason),
  }
}
