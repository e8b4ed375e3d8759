/**
 * Defensive HTTP GET for identity lookups, where the URL is derived from attacker-chosen names:
 * one deadline for the whole exchange (DNS, connect, redirects, body), a byte cap on the body,
 * redirects followed manually (each hop re-checked) up to a limit, and unless the dev flag
 * `allowPrivateNetwork` is set: https only, and no hosts that are (or resolve to) loopback,
 * private, link-local or otherwise non-public addresses.
 * Known gap: the address check and fetch's own DNS lookup are separate, so a DNS-rebinding host
 * could answer differently between them; pinning would need a custom Node dispatcher.
 */
import type { DnsResolver } from './dns.ts'
import { withTimeout } from './dns.ts'
import { FetchError } from './errors.ts'
import { isPrivateAddress, parseIPv6 } from './ip.ts'

export interface SafeFetchOptions {
  fetch: typeof fetch
  dns: DnsResolver | null
  timeoutMs: number
  maxBytes: number
  /** Dev flag: allow http:// and loopback/private targets (a local network needs them). */
  allowPrivateNetwork: boolean
  /** 0 = any redirect is an error. */
  maxRedirects: number
  headers?: Record<string, string>
  signal?: AbortSignal
}

export interface SafeResponse {
  url: string
  status: number
  headers: Headers
  body: Uint8Array
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

function isLocalName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  return h === 'localhost' || h.endsWith('.localhost')
}

/** Throws FetchError unless `url` may be fetched under the policy. */
export async function assertFetchable(
  url: URL,
  opts: Pick<SafeFetchOptions, 'dns' | 'allowPrivateNetwork' | 'timeoutMs'>,
): Promise<void> {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && opts.allowPrivateNetwork)) {
    throw new FetchError(url.href, `scheme ${url.protocol} not allowed`)
  }
  if (url.username || url.password) throw new FetchError(url.href, 'credentials in URL not allowed')
  if (opts.allowPrivateNetwork) return
  const host = url.hostname
  const literal = parseIPv6(host) ? host.slice(1, -1) : host
  if (isLocalName(host) || isPrivateAddress(literal))
    throw new FetchError(url.href, 'private or loopback address not allowed')
  if (!opts.dns) return // browsers: no way to look the name up; the literal checks above still apply
  let addresses: string[] | null
  try {
    addresses = await withTimeout(opts.dns.lookup(host), opts.timeoutMs, `lookup ${host}`)
  } catch (err) {
    throw new FetchError(url.href, `could not resolve host (${(err as Error).message})`)
  }
  if (addresses?.some((a) => isPrivateAddress(a))) {
    throw new FetchError(url.href, 'host resolves to a private or loopback address')
  }
}

async function readLimited(res: Response, max: number, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > max) {
    await res.body?.cancel().catch(() => {})
    throw new FetchError(url, `response too large (${declared} > ${max} bytes)`)
  }
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > max) {
      await reader.cancel().catch(() => {})
      throw new FetchError(url, `response too large (over ${max} bytes)`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.length
  }
  return out
}

function deadline(opts: SafeFetchOptions): { signal: AbortSignal; done(): void } {
  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(new Error('timeout')), opts.timeoutMs)
  const onOuter = () => ctrl.abort(opts.signal?.reason)
  opts.signal?.addEventListener('abort', onOuter, { once: true })
  if (opts.signal?.aborted) ctrl.abort(opts.signal.reason)
  return {
    signal: ctrl.signal,
    done: () => {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onOuter)
    },
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

async function fetchOnce(url: URL, opts: SafeFetchOptions, signal: AbortSignal): Promise<Response> {
  await raceAbort(assertFetchable(url, opts), signal)
  return opts.fetch(url.href, { method: 'GET', redirect: 'manual', headers: opts.headers, signal })
}

/** GET `url` under the safety policy; resolves with the final non-redirect response. */
export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeResponse> {
  const { signal, done } = deadline(opts)
  let current = new URL(url)
  try {
    for (let hop = 0; ; hop++) {
      const res = await fetchOnce(current, opts, signal)
      if (REDIRECTS.has(res.status) || res.type === 'opaqueredirect') {
        await res.body?.cancel().catch(() => {})
        const location = res.headers.get('location')
        if (hop >= opts.maxRedirects || !location) throw new FetchError(current.href, 'redirect not followed')
        current = new URL(location, current)
        continue
      }
      const body = await readLimited(res, opts.maxBytes, current.href)
      return { url: current.href, status: res.status, headers: res.headers, body }
    }
  } catch (err) {
    if (err instanceof FetchError) throw err
    const reason = signal.aborted ? `timed out after ${opts.timeoutMs} ms` : (err as Error).message
    throw new FetchError(current.href, reason)
  } finally {
    done()
  }
}
