/**
 * The operator's HTTP endpoints under /admin/ (JSON in and out), authenticated with the admin password as
 * HTTP Basic (`admin:<password>`) or a Bearer token; disabled (403) when no password is configured.
 *
 *   GET  /admin/stats                      counters, hosts, consumers, log and queue sizes
 *   GET  /admin/hosts                      every host with its limits and standing
 *   POST /admin/hosts/add      {hostname, trusted?}                add without waiting for requestCrawl
 *   POST /admin/hosts/ban      {hostname}                          stop and refuse a host
 *   POST /admin/hosts/unban    {hostname}
 *   POST /admin/hosts/limits   {hostname, accountLimit?, rateLimit?, trusted?}   null clears an override
 *   POST /admin/accounts/takedown {did}  /  POST /admin/accounts/restore {did}   relay-level takedown
 */
import { timingSafeEqual } from 'node:crypto'
import { XRPCError } from '@stratus/core/xrpc'
import type { RelayContext } from '../context.ts'
import type { Host } from '../hosts/host.ts'

function authorized(req: Request, password: string): boolean {
  const h = req.headers.get('authorization') ?? ''
  let given: string | undefined
  if (h.startsWith('Bearer ')) given = h.slice(7)
  else if (h.startsWith('Basic ')) {
    const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8')
    if (decoded.startsWith('admin:')) given = decoded.slice(6)
  }
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(password)
  return a.length === b.length && timingSafeEqual(a, b)
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status })
}

export function adminHostView(h: Host) {
  return {
    id: h.id,
    hostname: h.hostname,
    status: h.reportedStatus,
    cursor: h.cursor,
    trusted: h.trusted,
    accountCount: h.accountCount,
    accountLimit: h.accountLimit(),
    accountLimitOverride: h.accountLimitOverride,
    eventRate: h.eventRate(),
    rateLimitOverride: h.rateLimitOverride,
    accepted: h.accepted,
    rejected: h.rejected,
    createdAt: h.createdAt,
  }
}

function stats(ctx: RelayContext) {
  return {
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
    seq: ctx.sequencer.durableSeq,
    oldestSeq: ctx.log.oldestSeq ?? null,
    logBytes: ctx.log.sizeBytes,
    backlog: ctx.sequencer.backlog,
    inFlight: ctx.crawler.inFlight(),
    verifyBacklog: ctx.pool.backlog,
    verifyWorkers: ctx.pool.size,
    verifyWorkerUtilization: ctx.pool.utilization(),
    verifiedOnMainThread: ctx.pool.inlineJobs,
    hostsConnected: ctx.crawler.hostsConnected,
    consumers: { firehose: ctx.firehose.consumers.size, jetstream: ctx.jetstream.consumers.size },
    identities: { cached: ctx.identities.size, resolutions: ctx.identities.resolutions },
    resyncsPending: ctx.resyncer.pending,
    ...ctx.counters.snapshot(),
  }
}

async function readJson(req: Request): Promise<Record<string, unknown>> {
  try {
    const body = (await req.json()) as unknown
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>
  } catch {}
  throw new XRPCError(400, 'InvalidRequest', 'expected a JSON object body')
}

function str(body: Record<string, unknown>, key: string): string {
  const v = body[key]
  if (typeof v !== 'string') throw new XRPCError(400, 'InvalidRequest', `${key} is required`)
  return v
}

function optLimit(v: unknown, key: string): number | null | undefined {
  if (v === undefined || v === null) return v
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new XRPCError(400, 'InvalidRequest', `${key} must be a non-negative integer or null`)
  }
  return v
}

async function setTakedown(ctx: RelayContext, did: string, down: boolean): Promise<Response> {
  const s = await ctx.accounts.get(did)
  if (!s) throw new XRPCError(400, 'RepoNotFound', `unknown account: ${did}`)
  s.relayStatus = down ? 'takendown' : null
  ctx.accounts.touch(s)
  ctx.processor.emitAccount(s)
  return json({ did, takendown: down })
}

async function route(req: Request, path: string, ctx: RelayContext): Promise<Response> {
  const { registry } = ctx
  if (req.method === 'GET' && path === '/admin/stats') return json(stats(ctx))
  if (req.method === 'GET' && path === '/admin/hosts') return json({ hosts: registry.all.map(adminHostView) })
  if (req.method !== 'POST') return json({ error: 'NotFound', message: 'Not Found' }, 404)
  const body = await readJson(req)
  switch (path) {
    case '/admin/hosts/add': {
      const trusted = body.trusted === true
      return json(adminHostView(await registry.requestCrawl(str(body, 'hostname'), { trusted, skipProbe: trusted })))
    }
    case '/admin/hosts/ban':
      return json(adminHostView(await registry.banNew(str(body, 'hostname'))))
    case '/admin/hosts/unban':
      return json(adminHostView(registry.unban(str(body, 'hostname'))))
    case '/admin/hosts/limits': {
      const trusted = typeof body.trusted === 'boolean' ? body.trusted : undefined
      const accountLimit = optLimit(body.accountLimit, 'accountLimit')
      const rateLimit = optLimit(body.rateLimit, 'rateLimit')
      return json(adminHostView(registry.setLimits(str(body, 'hostname'), { accountLimit, rateLimit, trusted })))
    }
    case '/admin/accounts/takedown':
      return setTakedown(ctx, str(body, 'did'), true)
    case '/admin/accounts/restore':
      return setTakedown(ctx, str(body, 'did'), false)
    default:
      return json({ error: 'NotFound', message: 'Not Found' }, 404)
  }
}

/** Answers /admin/* requests. */
export async function handleAdmin(req: Request, ctx: RelayContext): Promise<Response> {
  const password = ctx.cfg.adminPassword
  if (!password) return json({ error: 'Forbidden', message: 'Admin access is disabled' }, 403)
  if (!authorized(req, password)) {
    return new Response(JSON.stringify({ error: 'AuthenticationRequired', message: 'Admin password required' }), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="relay admin"' },
    })
  }
  try {
    return await route(req, new URL(req.url).pathname, ctx)
  } catch (err) {
    if (err instanceof XRPCError) return json({ error: err.error, message: err.message }, err.status)
    throw err
  }
}
