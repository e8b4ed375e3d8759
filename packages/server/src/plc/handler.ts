/**
 * The directory's HTTP API as a fetch-style handler, compatible with plc.directory:
 *   POST /:did            submit a signed operation (200 "OK", or 400 {message} naming the reason)
 *   GET  /:did            DID document (application/did+ld+json)
 *   GET  /:did/data       DID state
 *   GET  /:did/log        active operations
 *   GET  /:did/log/audit  every operation with cid, nullified, createdAt
 *   GET  /:did/log/last   newest active operation
 *   GET  /export          JSON lines, oldest first; ?after=<createdAt>&count=<1..1000>
 *   GET  /_health         {version}
 * Errors are JSON {message}. CORS is open (the data is public). Bodies over 64 KiB are refused.
 */
import { PlcError } from '@stratus/core/plc'
import type { PlcDirectory } from './directory.ts'
import { DirectoryError } from './directory.ts'
import type { RawOp } from './store.ts'

export interface PlcHandlerOptions {
  version?: string
  maxBodyBytes?: number
  /** Called with unexpected (500) errors. */
  onError?: (err: unknown, req: Request) => void
}

export type FetchHandler = (req: Request) => Promise<Response>

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
}

function respond(status: number, body: string, type: string): Response {
  return new Response(body, { status, headers: { 'content-type': type, ...CORS } })
}

const json = (status: number, value: unknown) =>
  respond(status, JSON.stringify(value), 'application/json; charset=utf-8')
const fail = (status: number, message: string) => json(status, { message })

/** Stored op rows rendered as JSON without re-encoding the stored operation text. */
function entryJson(r: RawOp): string {
  return `{"did":${JSON.stringify(r.did)},"operation":${r.operation},"cid":${JSON.stringify(r.cid)},"nullified":${r.nullified},"createdAt":${JSON.stringify(r.createdAt)}}`
}

async function readBody(req: Request, max: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0')
  if (declared > max) throw new DirectoryError(400, `Request body too large (max ${max} bytes)`)
  if (!req.body) return ''
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > max) {
      await reader.cancel().catch(() => {})
      throw new DirectoryError(400, `Request body too large (max ${max} bytes)`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseExportQuery(url: URL): { count: number; after?: string } {
  const rawCount = url.searchParams.get('count')
  const count = rawCount === null ? 1000 : Number(rawCount)
  if (!Number.isInteger(count) || count < 1) throw new DirectoryError(400, 'Invalid count parameter')
  const rawAfter = url.searchParams.get('after')
  if (rawAfter === null || rawAfter === '') return { count: Math.min(count, 1000) }
  const t = Date.parse(rawAfter)
  if (Number.isNaN(t)) throw new DirectoryError(400, 'Invalid after parameter (want an ISO 8601 timestamp)')
  return { count: Math.min(count, 1000), after: new Date(t).toISOString() }
}

async function routeDid(
  dir: PlcDirectory,
  req: Request,
  did: string,
  rest: string,
  maxBody: number,
): Promise<Response> {
  if (req.method === 'POST' && rest === '') {
    const text = await readBody(req, maxBody)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new DirectoryError(400, 'Body is not valid JSON')
    }
    await dir.submit(did, body)
    return respond(200, 'OK', 'text/plain; charset=utf-8')
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'Method not allowed')
  switch (rest) {
    case '':
      return respond(200, JSON.stringify(await dir.document(did)), 'application/did+ld+json')
    case '/data':
      return json(200, await dir.data(did))
    case '/log':
      return respond(
        200,
        `[${(await dir.log(did)).map((r) => r.operation).join(',')}]`,
        'application/json; charset=utf-8',
      )
    case '/log/audit':
      return respond(200, `[${(await dir.auditLog(did)).map(entryJson).join(',')}]`, 'application/json; charset=utf-8')
    case '/log/last':
      return respond(200, (await dir.lastOp(did)).operation, 'application/json; charset=utf-8')
    default:
      return fail(404, 'Not found')
  }
}

async function route(
  dir: PlcDirectory,
  req: Request,
  opts: Required<Omit<PlcHandlerOptions, 'onError'>>,
): Promise<Response> {
  const url = new URL(req.url)
  const path = url.pathname
  if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS })
  if (path === '/_health') {
    try {
      await dir.store.healthCheck()
      return json(200, { version: opts.version })
    } catch {
      return json(503, { version: opts.version, error: 'Service Unavailable' })
    }
  }
  if (path === '/export') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'Method not allowed')
    const { count, after } = parseExportQuery(url)
    const rows = await dir.export(count, after)
    return respond(200, rows.map(entryJson).join('\n'), 'application/jsonlines')
  }
  const m = /^\/([^/]+)((?:\/[^/]+)*)$/.exec(path)
  if (!m) return fail(404, 'Not found')
  let did: string
  try {
    did = decodeURIComponent(m[1])
  } catch {
    return fail(400, 'Invalid DID in path')
  }
  return routeDid(dir, req, did, m[2], opts.maxBodyBytes)
}

/** The directory as `(req: Request) => Promise<Response>`. */
export function createPlcHandler(dir: PlcDirectory, opts: PlcHandlerOptions = {}): FetchHandler {
  const o = { version: opts.version ?? '0.1.0', maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 }
  return async (req) => {
    try {
      return await route(dir, req, o)
    } catch (err) {
      if (err instanceof PlcError) return fail(400, err.message)
      if (err instanceof DirectoryError) return fail(err.status, err.message)
      opts.onError?.(err, req)
      return fail(500, 'Internal Server Error')
    }
  }
}
