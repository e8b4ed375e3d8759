/**
 * One upstream call of the proxy: the client's method, path and query go to the target service with the
 * service-auth token and a short list of client headers (languages, labelers, topics, body type); the
 * request body streams through unread. The answer streams back with the headers clients use
 * (content-type/-language, atproto-repo-rev, atproto-content-labelers, retry-after). Upstream errors come
 * back as the upstream's `{error, message}` with its status (500 becomes 502 UpstreamFailure, so a client
 * can tell the AppView failed and not us); an unreachable service is 502 UpstreamFailure, a silent one
 * 504 UpstreamTimeout.
 *
 * Calls go through node:http(s) with keep-alive agents, not fetch: on Node 20 fetch's Request, Headers,
 * AbortController and web-stream body cost more CPU than the rest of a proxied read, and piping its body
 * to the client went chunk by chunk through a web-stream reader. Answers up to 1 MiB are sent on in one
 * piece once complete; longer ones are relayed as the node stream they arrive as (serve.ts pipes it, with
 * backpressure, and drops it if the client leaves).
 *
 * Bodies are asked for uncompressed (`accept-encoding: identity`) because the PDS may need to read them
 * (read-after-write); a service that compresses anyway is relayed as it answered (with its
 * content-encoding) and never read. Clients that want compression get it from a front proxy.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { UpstreamFailureError, UpstreamTimeoutError, XRPCError, errorNameForStatus } from '@stratus/core/xrpc'
import type { Reply } from '../../http/index.ts'
import type { ProxyTarget } from './target.ts'

const FORWARD_REQUEST = ['accept-language', 'atproto-accept-labelers', 'x-bsky-topics']
const FORWARD_RESPONSE = [
  'content-type',
  'content-language',
  'atproto-repo-rev',
  'atproto-content-labelers',
  'retry-after',
]
/** How long the upstream may take to start answering. */
const HEADERS_TIMEOUT_MS = 30_000
/** Largest upstream error body read (for its `{error, message}`). */
const MAX_ERROR_BYTES = 64 * 1024

// Connections to the AppView are reused across calls (fetch did the same through its global agent).
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) }

/** Headers of which node keeps the first of repeated ones (it joins the others with ', '). */
const FIRST_WINS = new Set(['content-type', 'content-length', 'retry-after'])

/** An upstream answer whose headers have arrived; `body` is still unread. */
export class Upstream {
  #headers: Map<string, string> | undefined

  constructor(
    readonly res: IncomingMessage,
    /** The method it answers (HEAD answers have no body). */
    readonly method: string,
  ) {}

  get status(): number {
    return this.res.statusCode ?? 502
  }

  get body(): IncomingMessage {
    return this.res
  }

  /**
   * A response header (lowercase name; repeated ones joined with ', '), or null. Read from rawHeaders once:
   * node's `res.headers` object costs more to build than the proxy's own work on a read.
   */
  header(name: string): string | null {
    if (!this.#headers) {
      const map = new Map<string, string>()
      const raw = this.res.rawHeaders
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i].toLowerCase()
        const prev = map.get(k)
        if (prev === undefined) map.set(k, raw[i + 1])
        else if (!FIRST_WINS.has(k)) map.set(k, `${prev}, ${raw[i + 1]}`)
      }
      this.#headers = map
    }
    return this.#headers.get(name) ?? null
  }

  /** Is the body sent as is (no content-encoding other than identity)? Only those are read. */
  get plain(): boolean {
    const enc = this.header('content-encoding')
    return enc === null || enc.trim().toLowerCase() === 'identity'
  }

  /** Drops the rest of the body (and its connection) when it is not wanted. */
  discard(): void {
    this.res.destroy()
  }
}

export function callUpstream(req: Request, target: ProxyTarget, authorization: string): Promise<Upstream> {
  const base = baseOf(target.url)
  const headers: OutgoingHttpHeaders = { authorization, 'accept-encoding': 'identity' }
  for (const name of FORWARD_REQUEST) {
    const v = req.headers.get(name)
    if (v !== null) headers[name] = v
  }
  const body = req.method === 'POST' ? req.body : null
  if (req.method === 'POST') {
    for (const name of ['content-type', 'content-encoding']) {
      const v = req.headers.get(name)
      if (v !== null) headers[name] = v
    }
    if (body === null) headers['content-length'] = '0'
  }
  return new Promise((resolve, reject) => {
    const call = (base.https ? httpsRequest : httpRequest)({
      protocol: base.https ? 'https:' : 'http:',
      hostname: base.hostname,
      port: base.port,
      path: `${base.path}${pathOf(req)}`,
      method: req.method,
      headers,
      agent: base.https ? agents.https : agents.http,
    })
    const pending = new Pending(call, req)
    call.once('response', (res) => {
      pending.settle()
      resolve(new Upstream(res, req.method))
    })
    // Stays attached: a failure after the answer began is the body's to report.
    call.on('error', (err) => {
      if (!pending.settle()) return
      reject(
        err instanceof UpstreamTimeoutError
          ? err
          : new UpstreamFailureError('Upstream service unreachable', undefined, { cause: err }),
      )
    })
    if (body) {
      pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), call).catch((err) =>
        call.destroy(err),
      )
    } else call.end()
  })
}

/**
 * An upstream call until its answer's headers arrive: cut after HEADERS_TIMEOUT_MS, or when the client
 * leaves. A LightRequest's socket is watched directly (its `signal` would make an AbortController and a
 * listener per call). Listeners are fields, not named closures: under tsx (esbuild keepNames) each named
 * closure made per call costs a defineProperty, ~0.4 µs.
 */
class Pending {
  settled = false
  readonly timer: NodeJS.Timeout
  readonly socket: Socket | undefined
  readonly signal: AbortSignal | undefined
  readonly gone: () => void

  constructor(call: ClientRequest, req: Request) {
    this.timer = setTimeout(destroyOnTimeout, HEADERS_TIMEOUT_MS, call)
    this.gone = () => call.destroy(new Error('client went away'))
    const socket = (req as { incoming?: IncomingMessage }).incoming?.socket
    if (socket) {
      this.socket = socket
      if (socket.destroyed) this.gone()
      else socket.on('close', this.gone)
    } else {
      const signal = req.signal
      this.signal = signal
      if (signal.aborted) this.gone()
      else signal.addEventListener('abort', this.gone, { once: true })
    }
  }

  /** False if already settled. */
  settle(): boolean {
    if (this.settled) return false
    this.settled = true
    clearTimeout(this.timer)
    this.socket?.off('close', this.gone)
    this.signal?.removeEventListener('abort', this.gone)
    return true
  }
}

function destroyOnTimeout(call: ClientRequest): void {
  call.destroy(new UpstreamTimeoutError('Upstream service timed out'))
}

/** Path and query of the client's call (the router already checked the path names an NSID). */
function pathOf(req: Request): string {
  const plain = (req as { pathAndQuery?: { path: string; query: string } }).pathAndQuery
  if (plain) return plain.query === '' ? plain.path : `${plain.path}?${plain.query}`
  const url = new URL(req.url)
  return `${url.pathname}${url.search}`
}

interface Base {
  https: boolean
  hostname: string
  port: string
  /** Any path of the service URL, without a trailing slash. */
  path: string
}

const bases = new Map<string, Base>()

function baseOf(serviceUrl: string): Base {
  let b = bases.get(serviceUrl)
  if (!b) {
    const u = new URL(serviceUrl)
    const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
    b = { https: u.protocol === 'https:', hostname, port: u.port, path: u.pathname.replace(/\/+$/, '') }
    if (bases.size >= 1000) bases.clear()
    bases.set(serviceUrl, b)
  }
  return b
}

/**
 * The client's answer for a successful upstream response. A body that ends within RELAY_BUFFER_BYTES goes
 * out in one write with its length (an AppView answer arrives in a few chunks; relaying each as a chunk
 * costs a send, and a wake-up of the client, per chunk); a longer one is streamed as it arrives.
 */
export async function relayResponse(upstream: Upstream, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...extraHeaders }
  for (const name of FORWARD_RESPONSE) {
    const v = upstream.header(name)
    if (v !== null) headers[name] = v
  }
  if (!upstream.plain) headers['content-encoding'] = upstream.header('content-encoding') as string
  const length = upstream.header('content-length')
  if (length !== null) headers['content-length'] = length
  const status = upstream.status
  // Bodiless answers (HEAD, 204, 304) keep the upstream's headers as they are.
  if (status < 200 || status > 299 || status === 204 || upstream.method === 'HEAD') {
    return { status, headers, body: upstream.body }
  }
  const body = await bufferUpTo(upstream.body, RELAY_BUFFER_BYTES)
  if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength)
  return { status, headers, body }
}

/** Largest upstream body sent in one piece rather than streamed. */
const RELAY_BUFFER_BYTES = 1024 * 1024

/** The whole body if it ends within `limit` bytes; else a stream of what came so far and the rest. */
function bufferUpTo(src: IncomingMessage, limit: number): Promise<Uint8Array | Readable> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    // Methods of an object literal, not named closures (see Pending).
    const on = {
      data(chunk: Buffer) {
        chunks.push(chunk)
        size += chunk.byteLength
        if (size <= limit) return
        on.off()
        src.pause()
        // Until the stream below is read, a failure of the source must not go unhandled (it still ends it).
        src.on('error', ignore)
        resolve(Readable.from(prepend(chunks, src), { objectMode: false }))
      },
      end() {
        on.off()
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
      },
      error(err: Error) {
        on.off()
        reject(new UpstreamFailureError('Upstream answer broke off', undefined, { cause: err }))
      },
      close() {
        on.error(new Error('upstream closed the connection mid-answer'))
      },
      off() {
        src.off('data', on.data)
        src.off('end', on.end)
        src.off('error', on.error)
        src.off('close', on.close)
      },
    }
    src.on('data', on.data)
    src.on('end', on.end)
    src.on('error', on.error)
    src.on('close', on.close)
  })
}

function ignore(): void {}

async function* prepend(first: Buffer[], rest: IncomingMessage): AsyncGenerator<Buffer> {
  yield* first
  yield* rest as AsyncIterable<Buffer>
}

/** Reads an upstream error response into the XRPCError the client gets. */
export async function upstreamError(upstream: Upstream): Promise<XRPCError> {
  let error: string | undefined
  let message: string | undefined
  try {
    const text = await readText(upstream, MAX_ERROR_BYTES)
    const body = JSON.parse(text) as { error?: unknown; message?: unknown }
    if (typeof body.error === 'string') error = body.error
    if (typeof body.message === 'string') message = body.message
  } catch {
    // not JSON, compressed, or too long: keep the status only
  }
  const status = upstream.status === 500 ? 502 : upstream.status
  const headers: Record<string, string> = {}
  for (const name of ['atproto-repo-rev', 'retry-after']) {
    const v = upstream.header(name)
    if (v !== null) headers[name] = v
  }
  const name = upstream.status === 500 ? 'UpstreamFailure' : (error ?? errorNameForStatus(status))
  return new XRPCError(status, name, message ?? `Upstream answered ${upstream.status}`, { headers })
}

/** The body as text, at most `max` bytes (throws beyond, and for bodies sent compressed). */
export async function readText(upstream: Upstream, max: number): Promise<string> {
  if (!upstream.plain) {
    upstream.discard()
    throw new Error('upstream body is compressed')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > max) {
      upstream.discard()
      throw new Error(`upstream body larger than ${max} bytes`)
    }
    chunks.push(chunk)
  }
  return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8')
}
