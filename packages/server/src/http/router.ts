/**
 * The XRPC router: `/xrpc/<nsid>` to registered handlers. Queries answer GET (and HEAD), procedures POST,
 * subscriptions WebSocket upgrades (a plain GET gets 426). Unknown methods get 501 MethodNotImplemented
 * (or go to `fallback`, e.g. a proxy), a known method called with the wrong HTTP verb 405, paths outside
 * /xrpc/ or not naming an NSID 404. `/xrpc/_health` answers `{version}`.
 *
 * Per call, in this order: params (validated and coerced when a validator knows the method), auth
 * verifier, rate limits, input (see input.ts), handler, output (validated if enabled). Every failure is
 * an `{error, message}` response; unexpected exceptions are reported through `onError` and answered with a
 * bare 500. CORS headers go on every response when enabled (the default).
 *
 * Not done here: authentication schemes themselves (services supply verifiers), proxying, logging.
 */
import { isValidNsid } from '@stratus/core/syntax'
import { MethodNotImplementedError, RateLimitExceededError, XRPCError } from '@stratus/core/xrpc'
import { preflight, withCors } from './cors.ts'
import { type InputRules, readInput } from './input.ts'
import { clientAddress } from './node-request.ts'
import { errorReply, resultReply, toXrpcError } from './output.ts'
import { type RateLimitResult, rateLimitHeaders } from './rate-limit.ts'
import { RAW_HANDLER, type RawHandler, type ReplyOrResponse, addHeaders, toResponse } from './reply.ts'
import type { UpgradeResult } from './serve.ts'
import { runSubscription, type SubscriptionLimits } from './subscription.ts'
import type { RouteOptions, RouteRateLimit, SubscriptionHandler, XrpcHandler } from './types.ts'
import { type LexiconsLike, type RawParams, type XrpcValidator, lexiconValidator } from './validation.ts'

export interface XrpcRouterOptions {
  /** Lexicons to validate params, input and (optionally) output against. */
  lexicons?: LexiconsLike
  /** A custom validator (overrides `lexicons`). */
  validator?: XrpcValidator
  /** Request body limit, default 1 MiB; routes may override (blob uploads). */
  maxBodyBytes?: number
  /** Default true. */
  cors?: boolean
  /** Validate JSON output of every method against its lexicon. Default false (costs CPU on every call). */
  validateOutput?: boolean
  /** Rate limits applied to every method (before the route's own). */
  rateLimit?: RouteRateLimit<unknown> | RouteRateLimit<unknown>[]
  /** Version reported by /xrpc/_health. */
  version?: string
  /** Extra health check: throw (or reject) to answer 503. */
  health?: () => Promise<unknown> | unknown
  /** Handles calls to methods nobody registered (default: 501 MethodNotImplemented). */
  fallback?: (req: Request) => Promise<ReplyOrResponse> | ReplyOrResponse
  /** Unexpected errors (500s, failed output validation, broken subscriptions). */
  onError?: (err: unknown, nsid?: string) => void
  subscriptions?: SubscriptionLimits
}

type Route =
  | { type: 'query' | 'procedure'; handler: XrpcHandler<unknown>; opts: RouteOptions<unknown> }
  | { type: 'subscription'; handler: SubscriptionHandler<unknown>; opts: RouteOptions<unknown> }

export interface XrpcRouter {
  query<A = undefined>(nsid: string, handler: XrpcHandler<A>, opts?: RouteOptions<A>): XrpcRouter
  procedure<A = undefined>(nsid: string, handler: XrpcHandler<A>, opts?: RouteOptions<A>): XrpcRouter
  subscription<A = undefined>(nsid: string, handler: SubscriptionHandler<A>, opts?: RouteOptions<A>): XrpcRouter
  has(nsid: string): boolean
  handle(req: Request): Promise<Response>
  upgrade(req: Request): Promise<UpgradeResult>
  /** handle() without building a fetch Response; serveFetch uses it. */
  [RAW_HANDLER]: RawHandler
}

const PREFIX = '/xrpc/'
const NO_VALIDATION: XrpcValidator = {
  method: () => undefined,
  params: (_nsid, raw) => raw,
  input: () => {},
  output: () => {},
}

export function createXrpcRouter(opts: XrpcRouterOptions = {}): XrpcRouter {
  const routes = new Map<string, Route>()
  const validator = opts.validator ?? (opts.lexicons ? lexiconValidator(opts.lexicons) : NO_VALIDATION)
  const onError = opts.onError ?? (() => {})
  const cors = opts.cors ?? true
  const globalLimits = toArray(opts.rateLimit)

  const add = (nsid: string, route: Route) => {
    if (!isValidNsid(nsid)) throw new Error(`invalid NSID: ${nsid}`)
    if (routes.has(nsid)) throw new Error(`XRPC method ${nsid} is already registered`)
    routes.set(nsid, route)
  }

  const router: XrpcRouter = {
    query(nsid, handler, o = {}) {
      add(nsid, { type: 'query', handler: handler as XrpcHandler<unknown>, opts: o as RouteOptions<unknown> })
      return router
    },
    procedure(nsid, handler, o = {}) {
      add(nsid, { type: 'procedure', handler: handler as XrpcHandler<unknown>, opts: o as RouteOptions<unknown> })
      return router
    },
    subscription(nsid, handler, o = {}) {
      add(nsid, {
        type: 'subscription',
        handler: handler as SubscriptionHandler<unknown>,
        opts: o as RouteOptions<unknown>,
      })
      return router
    },
    has: (nsid) => routes.has(nsid),
    handle: async (req) => toResponse(await handleRaw(req)),
    [RAW_HANDLER]: (req) => handleRaw(req),
    upgrade: (req) => upgrade(req),
  }

  async function handleRaw(req: Request): Promise<ReplyOrResponse> {
    if (cors && req.method === 'OPTIONS') return preflight(req)
    const res = await dispatch(req)
    return cors ? withCors(res) : res
  }

  async function dispatch(req: Request): Promise<ReplyOrResponse> {
    const { path, query } = targetOf(req)
    // A registered name needs no syntax check (add() made one); anything else gets it.
    const name = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : undefined
    const route = name === undefined ? undefined : routes.get(name)
    const nsid = route ? name : nsidOf(path)
    try {
      if (nsid === undefined) throw new XRPCError(404, 'NotFound', 'Not Found')
      if (nsid === '_health') return await health(req)
      if (!route) {
        if (opts.fallback) return await opts.fallback(req)
        throw new MethodNotImplementedError(`Method not implemented: ${nsid}`)
      }
      checkVerb(route.type, req)
      return await call(nsid, route as Extract<Route, { type: 'query' | 'procedure' }>, req, query)
    } catch (err) {
      return failure(err, nsid)
    }
  }

  function failure(err: unknown, nsid?: string, headers?: Record<string, string>): ReplyOrResponse {
    const { error, internal } = toXrpcError(err)
    if (internal) onError(err, nsid)
    return errorReply(error, headers)
  }

  async function call(
    nsid: string,
    route: Extract<Route, { type: 'query' | 'procedure' }>,
    req: Request,
    query: string,
  ) {
    const params = validator.params(nsid, rawParams(query))
    const auth = route.opts.auth ? await route.opts.auth({ nsid, req, params }) : undefined
    const limited = applyRateLimits(limitsOf(route), { nsid, req, auth, params })
    const limitHeaders = limited ? rateLimitHeaders(limited) : undefined
    try {
      const rules = route.type === 'procedure' ? inputRules(nsid, route) : undefined
      const input = rules ? await readInput(req, rules) : undefined
      if (input && !rules?.stream && isJsonEncodingOf(input.encoding)) validator.input(nsid, input.body)
      // `signal` is a getter: most handlers never look, and making one costs an AbortController.
      const result = await route.handler({
        nsid,
        params,
        input,
        auth,
        req,
        get signal() {
          return req.signal
        },
      })
      const validate = route.opts.validateOutput ?? opts.validateOutput ?? false
      const res = resultReply(result, validate ? (body) => validator.output(nsid, body) : undefined)
      return limitHeaders ? addHeaders(res, limitHeaders) : res
    } catch (err) {
      return failure(err, nsid, limitHeaders)
    }
  }

  // Per-route values that never change, computed on first use.
  const routeLimits = new WeakMap<Route, RouteRateLimit<unknown>[]>()
  const limitsOf = (route: Route) => {
    let l = routeLimits.get(route)
    if (!l) routeLimits.set(route, (l = [...globalLimits, ...toArray(route.opts.rateLimit)]))
    return l
  }
  const routeRules = new WeakMap<Route, InputRules>()

  function inputRules(nsid: string, route: Route): InputRules {
    let rules = routeRules.get(route)
    if (rules) return rules
    const o = route.opts
    const method = validator.method(nsid)
    const expected = method ? method.inputEncoding : o.inputEncoding
    rules = {
      expected,
      open: !method && o.inputEncoding === undefined,
      maxBytes: o.maxBodyBytes ?? opts.maxBodyBytes ?? 1024 * 1024,
      stream: o.streamInput ?? false,
    }
    routeRules.set(route, rules)
    return rules
  }

  async function health(req: Request): Promise<ReplyOrResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new XRPCError(405, 'InvalidRequest', 'Use GET')
    try {
      await opts.health?.()
    } catch (err) {
      onError(err, '_health')
      return Response.json({ version: opts.version ?? '0.0.0', error: 'Service Unavailable' }, { status: 503 })
    }
    return Response.json({ version: opts.version ?? '0.0.0' })
  }

  async function upgrade(req: Request): Promise<UpgradeResult> {
    const { path, query } = targetOf(req)
    const nsid = nsidOf(path)
    const route = nsid === undefined ? undefined : routes.get(nsid)
    if (nsid === undefined || !route || route.type !== 'subscription') {
      const err =
        nsid === undefined
          ? new XRPCError(404, 'NotFound', 'Not Found')
          : new MethodNotImplementedError(`Method not implemented: ${nsid}`)
      return toResponse(failure(err, nsid))
    }
    try {
      // Rate limits refuse with HTTP 429 before the upgrade (as the spec asks); `auth` is not known yet.
      const limits = [...globalLimits, ...toArray(route.opts.rateLimit)]
      applyRateLimits(limits, { nsid, req, auth: undefined, params: rawParams(query) })
    } catch (err) {
      return toResponse(failure(err, nsid))
    }
    return (ws) => {
      void runSubscription({
        ws,
        limits: opts.subscriptions ?? {},
        prepare: async () => {
          const params = validator.params(nsid, rawParams(query))
          const auth = route.opts.auth ? await route.opts.auth({ nsid, req, params }) : undefined
          return { nsid, params, auth, req }
        },
        open: (ctx) => route.handler(ctx),
        checkMessage: validator.message ? (t, body) => validator.message?.(nsid, t, body) : undefined,
        onError: (err) => onError(err, nsid),
      })
    }
  }

  return router
}

/**
 * The request's path and query (without '?'): split from a LightRequest's target when it is plain
 * (light-request.ts), else from the parsed URL. Both give the same path and the same parameters.
 */
function targetOf(req: Request): { path: string; query: string } {
  const plain = (req as { pathAndQuery?: { path: string; query: string } }).pathAndQuery
  if (plain) return plain
  const url = new URL(req.url)
  return { path: url.pathname, query: url.search.slice(1) }
}

/** The NSID named by an /xrpc/ path ('_health' included), or undefined for any other path. */
function nsidOf(path: string): string | undefined {
  if (!path.startsWith(PREFIX)) return undefined
  const name = path.slice(PREFIX.length)
  if (name === '_health') return name
  return isValidNsid(name) ? name : undefined
}

function checkVerb(type: Route['type'], req: Request): void {
  const m = req.method
  if (type === 'query' && (m === 'GET' || m === 'HEAD')) return
  if (type === 'procedure' && m === 'POST') return
  if (type === 'subscription') {
    if (m === 'GET')
      throw new XRPCError(426, 'InvalidRequest', 'This method is a subscription: connect with a WebSocket')
    throw new XRPCError(405, 'InvalidRequest', `Incorrect HTTP method (${m}), expected GET with a WebSocket upgrade`, {
      headers: { allow: 'GET' },
    })
  }
  const allow = type === 'query' ? 'GET, HEAD' : 'POST'
  throw new XRPCError(405, 'InvalidRequest', `Incorrect HTTP method (${m}), expected ${allow.split(',')[0]}`, {
    headers: { allow },
  })
}

/**
 * Query parameters as URLSearchParams parses them: single values as strings, repeated keys as arrays.
 * Split by hand (a URLSearchParams and its iterator cost more than the split); a malformed escape, which
 * decodeURIComponent refuses and URLSearchParams keeps as it is, goes through URLSearchParams.
 */
function rawParams(query: string): RawParams {
  const out: RawParams = {}
  if (query === '') return out
  try {
    // URLSearchParams drops one leading '?' (a target such as '/xrpc/m??a=1').
    for (let start = query.charCodeAt(0) === 63 ? 1 : 0; start < query.length; ) {
      let end = query.indexOf('&', start)
      if (end < 0) end = query.length
      if (end > start) {
        const eq = query.indexOf('=', start)
        if (eq < 0 || eq > end) addParam(out, decodeParam(query.slice(start, end)), '')
        else addParam(out, decodeParam(query.slice(start, eq)), decodeParam(query.slice(eq + 1, end)))
      }
      start = end + 1
    }
    return out
  } catch {
    const slow: RawParams = {}
    for (const [k, v] of new URLSearchParams(query)) addParam(slow, k, v)
    return slow
  }
}

function decodeParam(s: string): string {
  const spaced = s.includes('+') ? s.replaceAll('+', ' ') : s
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced
}

function addParam(out: RawParams, k: string, v: string): void {
  const prev = out[k]
  if (prev === undefined) out[k] = v
  else if (Array.isArray(prev)) prev.push(v)
  else out[k] = [prev, v]
}

/** Spends from every limiter; throws 429 on the first refusal; returns the tightest result for headers. */
function applyRateLimits(
  limits: RouteRateLimit<unknown>[],
  ctx: { nsid: string; req: Request; auth: unknown; params: Record<string, unknown> },
): RateLimitResult | undefined {
  let tightest: RateLimitResult | undefined
  for (const l of limits) {
    const key = l.key ? l.key(ctx) : (clientAddress(ctx.req) ?? 'unknown')
    if (key === undefined) continue
    // Keys are not prefixed by method: a limiter shared by several routes is one shared budget.
    const r = l.limiter.consume(key, l.cost ?? 1)
    if (!r.allowed) {
      throw new RateLimitExceededError(`Rate Limit Exceeded (${l.limiter.name})`, undefined, {
        headers: rateLimitHeaders(r),
      })
    }
    if (!tightest || r.remaining < tightest.remaining) tightest = r
  }
  return tightest
}

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

function isJsonEncodingOf(encoding: string): boolean {
  return encoding === 'application/json' || encoding.endsWith('+json')
}
