/**
 * `createPds(cfg)`: the PDS as one object. It builds the context (database, keys, …), the XRPC router with
 * every handler from api/ (unimplemented methods proxied: proxy/), and a fetch handler that also answers
 * `/`, `/robots.txt`, `/.well-known/atproto-did` and `/.well-known/did.json`. `start()` listens (fixing the public URL when the port was 0) and runs the
 * `started` hooks; `close()` runs the `closing` hooks, stops the server and closes the database.
 */
import type { Logger } from 'pino'
import {
  RAW_HANDLER,
  type ReplyOrResponse,
  type ServedHandle,
  type XrpcRouter,
  createXrpcRouter,
  serveFetch,
} from '../http/index.ts'
import { registerHandlers } from './api/index.ts'
import { type PdsConfig, type PdsConfigInput, resolveConfig } from './config.ts'
import { type ContextOptions, type PdsContext, createContext } from './context.ts'
import { didJsonResponse } from './identity/did-web.ts'
import { pageResponse } from './pages.ts'
import { createProxyHandler } from './proxy/index.ts'

export const PDS_VERSION = '0.1.0'

export interface Pds {
  /** The public URL (final once start() has resolved). */
  readonly url: string
  readonly router: XrpcRouter
  readonly ctx: PdsContext
  /** Answers one request without a server (tests, embedding). */
  handle(req: Request): Promise<Response>
  start(): Promise<void>
  close(): Promise<void>
}

export async function createPds(input: PdsConfigInput, opts: ContextOptions = {}): Promise<Pds> {
  const cfg = resolveConfig(input)
  const ctx = await createContext(cfg, opts)
  const router = createXrpcRouter({
    lexicons: ctx.lexicons,
    version: PDS_VERSION,
    health: () => ctx.db.stmt('SELECT 1').get(),
    onError: (err, nsid) => ctx.logger.error({ err, nsid }, 'request failed'),
    // Methods not implemented here go to the AppView (or the service the client names): proxy/.
    fallback: createProxyHandler(ctx),
  })
  registerHandlers(router, ctx)
  const handle = async (req: Request): Promise<Response> =>
    pageResponse(ctx.db, req) ?? didJsonResponse(ctx, req) ?? router.handle(req)
  // What the server calls: XRPC goes straight to the router's Reply path (no fetch Response per call).
  const raw = (req: Request): Promise<ReplyOrResponse> =>
    isXrpcRequest(req)
      ? router[RAW_HANDLER](req)
      : Promise.resolve(pageResponse(ctx.db, req) ?? didJsonResponse(ctx, req) ?? router[RAW_HANDLER](req))
  let served: ServedHandle | undefined
  let closed: Promise<void> | undefined

  return {
    get url() {
      return ctx.cfg.publicUrl
    },
    router,
    ctx,
    handle,
    async start() {
      if (served) return
      served = await serveFetch(
        { handle, upgrade: (req) => router.upgrade(req), [RAW_HANDLER]: raw },
        { port: cfg.port, host: cfg.bindHost, onError: (err) => ctx.logger.warn({ err }, 'http error') },
      )
      fixPublicUrl(cfg, served.port)
      for (const hook of ctx.hooks.started) await hook()
      ctx.logger.info({ url: cfg.publicUrl, port: served.port, did: cfg.serviceDid }, 'pds listening')
    },
    close() {
      closed ??= shutdown(ctx, served, ctx.logger)
      return closed
    },
  }
}

/** Is the request for /xrpc/…? From a LightRequest's plain target when it has one (no URL built). */
function isXrpcRequest(req: Request): boolean {
  const plain = (req as { pathAndQuery?: { path: string } }).pathAndQuery
  return plain ? plain.path.startsWith('/xrpc/') : isXrpcPath(req.url)
}

/** Does the absolute URL's path start with /xrpc/? (Without parsing the whole URL.) */
function isXrpcPath(url: string): boolean {
  const path = url.indexOf('/', url.indexOf('//') + 2)
  return path > 0 && url.startsWith('/xrpc/', path)
}

/** With port 0 and no explicit public URL, the URL names the port actually bound. */
function fixPublicUrl(cfg: PdsConfig, port: number): void {
  if (cfg.port === 0 && /:0$/.test(cfg.publicUrl)) cfg.publicUrl = cfg.publicUrl.replace(/:0$/, `:${port}`)
}

async function shutdown(ctx: PdsContext, served: ServedHandle | undefined, logger: Logger): Promise<void> {
  for (const hook of [...ctx.hooks.closing].reverse()) {
    try {
      await hook()
    } catch (err) {
      logger.error({ err }, 'closing hook failed')
    }
  }
  await served?.close()
  await ctx.close()
}
