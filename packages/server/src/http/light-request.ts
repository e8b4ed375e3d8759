/**
 * `LightRequest`: the fetch Request surface XRPC handlers use (method, url, headers, signal, body,
 * arrayBuffer/text/json), backed directly by node's IncomingMessage. serveFetch hands these to raw
 * handlers (the XRPC router) instead of real Requests because on Node 20 building a Request, its Headers,
 * an AbortController and a body ReadableStream costs more CPU than a whole getRecord; here each part is
 * made only when something reads it, and the router reads JSON bodies straight from the socket
 * (`readAll`, `chunks`) without web streams.
 *
 * Semantics kept from fetch: header names are case-insensitive and repeated headers are joined with ', '
 * (set-cookie kept apart); `body` is null for GET/HEAD; a body can be consumed once; `signal` aborts when
 * the client goes away. Not a Request: `instanceof Request` is false, and it cannot be passed to fetch()
 * as a whole (pass its url/method/headers/body, as the PDS proxy does).
 */
import type { IncomingMessage } from 'node:http'
import { BodyTooLargeError } from './streams.ts'
import { requestBody, requestUrl } from './node-request.ts'

export class LightHeaders implements Headers {
  readonly #map = new Map<string, string>()
  readonly #cookies: string[] = []

  constructor(raw: string[]) {
    for (let i = 0; i < raw.length; i += 2) this.append(raw[i], raw[i + 1])
  }

  append(name: string, value: string): void {
    const k = name.toLowerCase()
    if (k === 'set-cookie') this.#cookies.push(value)
    const prev = this.#map.get(k)
    this.#map.set(k, prev === undefined ? value : `${prev}, ${value}`)
  }
  delete(name: string): void {
    this.#map.delete(name.toLowerCase())
  }
  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null
  }
  getSetCookie(): string[] {
    return [...this.#cookies]
  }
  has(name: string): boolean {
    return this.#map.has(name.toLowerCase())
  }
  set(name: string, value: string): void {
    this.#map.set(name.toLowerCase(), value)
  }
  forEach(cb: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) cb.call(thisArg, v, k, this)
  }
  /** Sorted by name, as fetch Headers iterate. */
  *entries(): HeadersIterator<[string, string]> {
    for (const k of [...this.#map.keys()].sort()) yield [k, this.#map.get(k) as string]
  }
  *keys(): HeadersIterator<string> {
    for (const [k] of this.entries()) yield k
  }
  *values(): HeadersIterator<string> {
    for (const [, v] of this.entries()) yield v
  }
  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries()
  }
}

const NO_BODY = new Set(['GET', 'HEAD'])
const PLAIN_PATH = /^\/[\w.-]+(?:\/[\w.-]+)*$/
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/

export class LightRequest {
  readonly method: string
  readonly #msg: IncomingMessage
  #url: string | undefined
  #target: { path: string; query: string } | null | undefined
  #headers: LightHeaders | undefined
  #abort: AbortController | undefined
  #abortReason: unknown
  #aborted = false
  #body: ReadableStream<Uint8Array> | null | undefined
  #used = false

  constructor(msg: IncomingMessage) {
    this.#msg = msg
    this.method = msg.method ?? 'GET'
  }

  /** The absolute URL (made on first access: the router reads `pathAndQuery` instead). */
  get url(): string {
    this.#url ??= requestUrl(this.#msg)
    return this.#url
  }

  /**
   * Path and query as the router needs them, split from the request target without parsing a URL, when
   * the path is plain (segments of letters, digits, `.`, `-`, `_`, none of them `.` or `..`: what URL
   * parsing leaves as it is); otherwise undefined and the caller parses `url`.
   */
  get pathAndQuery(): { path: string; query: string } | undefined {
    if (this.#target === undefined) {
      const raw = this.#msg.url ?? ''
      const q = raw.indexOf('?')
      const path = q < 0 ? raw : raw.slice(0, q)
      const plain = PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path) && !raw.includes('#')
      this.#target = plain ? { path, query: q < 0 ? '' : raw.slice(q + 1) } : null
    }
    return this.#target ?? undefined
  }

  /** The node request underneath (peer address, raw headers). */
  get incoming(): IncomingMessage {
    return this.#msg
  }

  get headers(): Headers {
    this.#headers ??= new LightHeaders(this.#msg.rawHeaders)
    return this.#headers
  }

  get signal(): AbortSignal {
    if (!this.#abort) {
      this.#abort = new AbortController()
      if (this.#aborted) this.#abort.abort(this.#abortReason)
    }
    return this.#abort.signal
  }

  /** Called by the server when the client goes away. */
  abort(reason: unknown): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#abortReason = reason
    this.#abort?.abort(reason)
  }

  get hasBody(): boolean {
    return !NO_BODY.has(this.method)
  }

  get bodyUsed(): boolean {
    return this.#used
  }

  /** The body as a web stream (made on first access; null for GET and HEAD). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#body === undefined) this.#body = this.hasBody ? requestBody(this.#msg) : null
    return this.#body
  }

  /**
   * The body's chunks straight from the socket; throws BodyTooLargeError once more than `limit` bytes came.
   * Leaving early only stops reading: the socket stays open for the response (the adapter then closes it).
   */
  async *chunks(limit: number): AsyncGenerator<Uint8Array> {
    if (!this.hasBody) return
    this.#take()
    const msg = this.#msg
    let total = 0
    try {
      while (true) {
        const chunk = msg.read() as Buffer | null
        if (chunk !== null) {
          total += chunk.byteLength
          if (total > limit) throw new BodyTooLargeError(limit)
          yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          continue
        }
        if (msg.readableEnded) return
        await readable(msg)
      }
    } finally {
      msg.pause()
    }
  }

  /** The whole body (at most `limit` bytes, else BodyTooLargeError), without web streams. */
  readAll(limit: number): Promise<Uint8Array> {
    if (!this.hasBody) return Promise.resolve(new Uint8Array(0))
    this.#take()
    const msg = this.#msg
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let total = 0
      const cleanup = () => {
        msg.off('data', onData)
        msg.off('end', onEnd)
        msg.off('error', onError)
        msg.off('close', onClose)
      }
      const onData = (c: Buffer) => {
        total += c.byteLength
        if (total > limit) {
          cleanup()
          msg.pause()
          reject(new BodyTooLargeError(limit))
          return
        }
        chunks.push(c)
      }
      const onEnd = () => {
        cleanup()
        const b = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)
        resolve(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
      }
      const onError = (err: Error) => {
        cleanup()
        reject(err)
      }
      const onClose = () => {
        if (msg.complete) return
        cleanup()
        reject(new Error('client closed the connection before the request body ended'))
      }
      if (msg.complete && msg.readableEnded) return onEnd()
      msg.on('data', onData)
      msg.on('end', onEnd)
      msg.on('error', onError)
      msg.on('close', onClose)
      msg.resume()
    })
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.readAll(Number.MAX_SAFE_INTEGER)
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.readAll(Number.MAX_SAFE_INTEGER))
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  #take(): void {
    if (this.#used || this.#body !== undefined) throw new TypeError('Body is unusable: body has already been read')
    this.#used = true
  }
}

/** Resolves when `msg` has data or has ended; rejects when it fails or the client leaves mid-body. */
function readable(msg: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      msg.off('readable', ok)
      msg.off('end', ok)
      msg.off('error', fail)
      msg.off('close', closed)
      if (err) reject(err)
      else resolve()
    }
    const ok = () => done()
    const fail = (err: Error) => done(err)
    const closed = () =>
      done(msg.complete ? undefined : new Error('client closed the connection before the request body ended'))
    msg.on('readable', ok)
    msg.on('end', ok)
    msg.on('error', fail)
    msg.on('close', closed)
  })
}

export function isLightRequest(req: unknown): req is LightRequest {
  return req instanceof LightRequest
}
