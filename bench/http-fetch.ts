/**
 * A `fetch` for benchmark clients over keep-alive node:http, for @atproto/api's AtpAgent (`{ fetch }`): on
 * Node 20 undici's fetch costs the client more CPU per call than our server spends answering, so sequential
 * rows measured the client. Takes what AtpAgent passes (a Request, or a URL and init) and answers a fetch
 * Response, so the agent's own work (headers, JSON parsing and validation, token refresh) is unchanged.
 * Not a general fetch: no redirects, and request bodies are read whole before sending.
 */
import { Agent, request } from 'node:http'

const NULL_BODY = new Set([101, 204, 205, 304])

export function nodeFetch(opts: { maxSockets?: number } = {}): typeof fetch {
  // With a `timeout`, node's agent drops idle sockets a second before the server's `Keep-Alive: timeout=N`
  // hint (without one it ignores the hint, and reusing a socket the server just closed fails the call).
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, timeout: 60_000 })
  return async (input, init) => {
    const req = input instanceof Request && init === undefined ? input : new Request(input, init)
    const headers: Record<string, string> = {}
    for (const [k, v] of req.headers) headers[k] = v
    const body = req.body === null ? undefined : Buffer.from(await req.arrayBuffer())
    if (body !== undefined) headers['content-length'] = String(body.byteLength)
    return new Promise<Response>((resolve, reject) => {
      const out = request(req.url, { method: req.method, headers, agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const h = new Headers()
          const raw = res.rawHeaders
          for (let i = 0; i < raw.length; i += 2) h.append(raw[i], raw[i + 1])
          const init = { status, statusText: res.statusMessage, headers: h }
          resolve(NULL_BODY.has(status) ? new Response(null, init) : new BytesResponse(Buffer.concat(chunks), init))
        })
      })
      out.on('error', reject)
      out.end(body)
    })
  }
}

/**
 * A Response over bytes already in memory. Node 20's Response wraps any body in a web ReadableStream and
 * reads it back through it, which costs more than the rest of the call; this one hands the bytes over, and
 * makes a stream only if `body` is asked for (after which reads go through that stream, as fetch's do).
 */
class BytesResponse extends Response {
  readonly #bytes: Uint8Array<ArrayBuffer>
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined
  #used = false

  constructor(bytes: Uint8Array<ArrayBuffer>, init: ResponseInit) {
    super(null, init)
    this.#bytes = bytes
  }
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#stream ??= new Blob([this.#bytes]).stream()
    return this.#stream
  }
  override get bodyUsed(): boolean {
    return this.#used
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#take()
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)
  }
  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer())
  }
  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.#take())
  }
  override async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }
  override async blob(): Promise<Blob> {
    return new Blob([await this.#take()], { type: this.headers.get('content-type') ?? '' })
  }
  override clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.')
    const init = { status: this.status, statusText: this.statusText, headers: this.headers }
    if (!this.#stream) return new BytesResponse(this.#bytes, init)
    const [mine, theirs] = this.#stream.tee()
    this.#stream = mine
    return new Response(theirs, init)
  }
  async #take(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read')
    this.#used = true
    if (this.#stream) return new Uint8Array(await new Response(this.#stream).arrayBuffer())
    return this.#bytes
  }
}
