/**
 * Fetch-based XRPC client: `query` (GET) and `procedure` (POST) against `<service>/xrpc/<nsid>`.
 * JSON bodies go out through the atproto JSON form (CIDs as {$link}, bytes as {$bytes}) and come back
 * converted to data-model values (CID, Uint8Array); other content types come back as bytes, or as a
 * stream when asked. Any non-2xx response throws XRPCError: the `{error, message}` body when the server
 * sent one, otherwise a generic name for the status and a short excerpt of whatever it sent (proxies and
 * load balancers answer with HTML). Network failures throw UpstreamFailureError; aborts rethrow as-is.
 *
 * Not done here: lexicon validation, retries, session refresh, redirects policy (fetch's default).
 */
import { jsonToLex, lexStringify, type LexValue } from '../data/index.ts'
import { isValidNsid } from '../syntax/index.ts'
import { UpstreamFailureError, XRPCError, errorNameForStatus } from './errors.ts'
import { type QueryParams, appendParams } from './params.ts'

export interface XrpcClientOptions {
  /** Base URL of the service, e.g. 'https://pds.example.com'. */
  service: string | URL
  fetch?: typeof fetch
  /** Headers added to every call (e.g. Authorization), computed per call. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>
}

export interface CallOptions {
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Content type of a procedure's input; default: JSON for objects, the Blob's type or octet-stream for bytes. */
  encoding?: string
  /** 'auto' (default): JSON by content type, else bytes. 'stream': the raw body stream. */
  responseType?: 'auto' | 'bytes' | 'stream'
}

export interface XrpcResponse<T = unknown> {
  status: number
  /** Response headers, lowercase names. */
  headers: Record<string, string>
  data: T
}

export type ProcedureInput = LexValue | Blob | ArrayBuffer | ReadableStream<Uint8Array> | undefined

const MAX_ERROR_BODY = 64 * 1024

export class XrpcClient {
  readonly service: URL
  readonly #fetch: typeof fetch
  readonly #headers?: XrpcClientOptions['headers']

  constructor(opts: XrpcClientOptions) {
    this.service = new URL(opts.service)
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#headers = opts.headers
  }

  /** GET /xrpc/<nsid>?params. */
  // response shape comes from the caller's lexicon types
  async query<T = any>(nsid: string, params?: QueryParams, opts: CallOptions = {}): Promise<XrpcResponse<T>> {
    const url = appendParams(this.#url(nsid), params)
    return this.#call<T>(url, { method: 'GET', headers: await this.#mergeHeaders(opts) }, opts)
  }

  /** POST /xrpc/<nsid> with an optional body (JSON value, bytes, Blob or stream) and optional params. */
  // response shape comes from the caller's lexicon types
  async procedure<T = any>(
    nsid: string,
    input?: ProcedureInput,
    opts: CallOptions & { params?: QueryParams } = {},
  ): Promise<XrpcResponse<T>> {
    const url = appendParams(this.#url(nsid), opts.params)
    const headers = await this.#mergeHeaders(opts)
    const { body, type } = encodeInput(input, opts.encoding)
    if (type && !hasHeader(headers, 'content-type')) headers['content-type'] = type
    const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, body }
    if (body instanceof ReadableStream) init.duplex = 'half'
    return this.#call<T>(url, init, opts)
  }

  #url(nsid: string): URL {
    if (!isValidNsid(nsid)) throw new TypeError(`invalid NSID: ${nsid}`)
    return new URL(`/xrpc/${nsid}`, this.service)
  }

  async #mergeHeaders(opts: CallOptions): Promise<Record<string, string>> {
    return { ...(this.#headers ? await this.#headers() : {}), ...opts.headers }
  }

  async #call<T>(url: URL, init: RequestInit, opts: CallOptions): Promise<XrpcResponse<T>> {
    let res: Response
    try {
      res = await this.#fetch(url, { ...init, signal: opts.signal })
    } catch (err) {
      if (isAbort(err, opts.signal)) throw err
      throw new UpstreamFailureError(`request to ${url.origin} failed: ${(err as Error)?.message ?? err}`, undefined, {
        cause: err,
      })
    }
    const headers = headerRecord(res.headers)
    if (!res.ok) throw await responseError(res, headers)
    const data = await readData(res, opts.responseType ?? 'auto')
    return { status: res.status, headers, data: data as T }
  }
}

function encodeInput(input: ProcedureInput, encoding?: string): { body?: BodyInit; type?: string } {
  if (input === undefined) return { type: encoding }
  if (input instanceof Uint8Array)
    return { body: input as Uint8Array<ArrayBuffer>, type: encoding ?? 'application/octet-stream' }
  if (input instanceof ArrayBuffer) return { body: input, type: encoding ?? 'application/octet-stream' }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    return { body: input, type: encoding ?? (input.type || 'application/octet-stream') }
  }
  if (input instanceof ReadableStream) return { body: input, type: encoding ?? 'application/octet-stream' }
  return { body: lexStringify(input as LexValue), type: encoding ?? 'application/json' }
}

async function readData(res: Response, responseType: 'auto' | 'bytes' | 'stream'): Promise<unknown> {
  if (responseType === 'stream') return res.body
  const bytes = new Uint8Array(await res.arrayBuffer())
  if (responseType === 'bytes' || !isJson(res.headers.get('content-type'))) {
    return bytes.byteLength === 0 && !res.headers.has('content-type') ? undefined : bytes
  }
  if (bytes.byteLength === 0) return undefined
  try {
    return jsonToLex(JSON.parse(new TextDecoder().decode(bytes)))
  } catch (err) {
    throw new XRPCError(502, 'InvalidResponse', `invalid JSON in response: ${(err as Error).message}`, { cause: err })
  }
}

/** The XRPCError for a non-2xx response, reading at most 64 KiB of its body. */
async function responseError(res: Response, headers: Record<string, string>): Promise<XRPCError> {
  const text = await readTextLimited(res, MAX_ERROR_BODY)
  if (isJson(res.headers.get('content-type')) || text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as { error?: unknown; message?: unknown }
      if (typeof j?.error === 'string' && j.error !== '') {
        return new XRPCError(res.status, j.error, typeof j.message === 'string' ? j.message : undefined, { headers })
      }
    } catch {}
  }
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 200)
  const message = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`
  return new XRPCError(res.status, errorNameForStatus(res.status), message, { headers })
}

async function readTextLimited(res: Response, limit: number): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let total = 0
  try {
    while (total < limit) {
      const { done, value } = await reader.read()
      if (done) return text + decoder.decode()
      total += value.byteLength
      text += decoder.decode(value, { stream: true })
    }
    await reader.cancel()
    return text.slice(0, limit)
  } catch {
    return text
  }
}

function isJson(contentType: string | null): boolean {
  if (!contentType) return false
  const type = contentType.split(';')[0].trim().toLowerCase()
  return type === 'application/json' || type.endsWith('+json')
}

function headerRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  h.forEach((v, k) => {
    out[k] = v
  })
  return out
}

function hasHeader(h: Record<string, string>, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name)
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err as { name?: string })?.name === 'AbortError'
}
