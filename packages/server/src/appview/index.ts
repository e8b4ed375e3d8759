/**
 * The AppView: indexes app.bsky records from a relay's firehose (through the sync kit: verified,
 * backfilled, resumable) into SQLite or PostgreSQL, and serves the app.bsky read API the Bluesky app uses
 * (profiles, timelines, threads, feeds, graph, notifications) with viewer state, to PDSes that proxy
 * their users' requests with service-auth tokens.
 *
 *   const av = await startAppView({ relay: 'https://relay.example', dbUrl: 'sqlite:./appview.db', port: 2584 })
 *   // av.url, av.did; await av.close()
 *
 * Layers: ingest/ (sync kit → indexer), indexing/ (one plugin per collection), hydration/ (batch loads),
 * views/ (pure view builders), api/ (one file per method). Not done here: labels and moderation services,
 * starter packs, bookmarks, chat, push notifications, image resizing (blob links redirect to the PDS).
 */
import { availableParallelism } from 'node:os'
import { type Sync, SyncIdentity } from '@stratus/core/sync'
import pino from 'pino'
import { RAW_HANDLER, createXrpcRouter, serveFetch, type ServedHandle } from '../http/index.ts'
import { loadBundledLexicons } from '../lexicons/index.ts'
import { authVerifiers } from './auth.ts'
import { type AppViewConfig, DEFAULTS, checkConfig, didWebFor } from './config.ts'
import type { AppViewContext } from './context.ts'
import { openAppViewDb } from './db/index.ts'
import { Hydrator } from './hydration/hydrator.ts'
import { Indexer, PLUGINS } from './indexing/index.ts'
import { createIngester } from './ingest/ingester.ts'
import { DbSyncStore } from './ingest/store.ts'
import { registerRoutes } from './api/index.ts'
import { ReadPool } from './api/read-pool.ts'
import { blobUrls } from './views/index.ts'
import { wellKnownHandler } from './well-known.ts'

export type { AppViewConfig } from './config.ts'
export { readConfig, configHelp, didWebFor, ConfigError } from './config.ts'
export { appviewCommand } from './cli.ts'

export interface AppView {
  url: string
  port: number
  did: string
  ctx: AppViewContext
  indexer: Indexer
  /** The firehose follower (undefined without a relay). */
  sync?: Sync
  /** Reader threads (undefined with readers: 0). */
  readers?: ReadPool
  close(): Promise<void>
}

/**
 * One per core, at most 4: the main thread mostly waits on sockets, and on 2 cores two readers measured
 * faster than one (bench/appview.bench.ts).
 */
function defaultReaders(): number {
  return Math.min(4, availableParallelism())
}

export async function startAppView(input: Partial<AppViewConfig> = {}): Promise<AppView> {
  const cfg = checkConfig({ ...DEFAULTS, ...input })
  const log = pino({ name: 'appview', level: cfg.logLevel })
  const appDb = await openAppViewDb(cfg.dbUrl)
  const identity = new SyncIdentity({
    plcUrl: cfg.plcUrl,
    allowPrivateNetwork: cfg.devMode,
    resolveHandle: cfg.resolveHandle
      ? (h) => (cfg.resolveHandle as (h: string) => Promise<string | undefined>)(h)
      : undefined,
  })
  const lexicons = loadBundledLexicons()
  const app = {
    cfg,
    did: cfg.did ?? '',
    publicUrl: cfg.publicUrl ?? '',
    appDb,
    db: appDb.db,
    hydrator: new Hydrator(appDb),
    urls: blobUrls(cfg.cdnUrl ?? 'http://localhost/img'),
    identity,
    lexicons,
    fetch: cfg.fetch ?? ((i, init) => globalThis.fetch(i, init)),
    log,
  } as AppViewContext
  // Verifiers read app.did at call time: with port 0 it is known only once the server listens.
  app.auth = authVerifiers(() => app.did, identity)
  const router = createXrpcRouter({
    lexicons,
    onError: (err, nsid) => log.error({ err, nsid }, 'xrpc handler failed'),
  })
  // Reader threads open their own connections, which an in-memory database cannot share.
  const readers = cfg.dbUrl === 'sqlite::memory:' ? 0 : (cfg.readers ?? defaultReaders())
  const pool = readers > 0 ? new ReadPool(readers, (err) => log.error({ err }, 'reader thread failed')) : undefined
  // the main thread adds the viewer's indexed revision to every answer, wherever it was computed
  registerRoutes(router, app, pool)
  const wellKnown = wellKnownHandler(app)
  let server: ServedHandle
  try {
    server = await serveFetch(
      {
        handle: async (req) => (await wellKnown(req)) ?? router.handle(req),
        upgrade: (req) => router.upgrade(req),
        // what the server calls: XRPC answers go out on the router's Reply path (no fetch Response per call)
        [RAW_HANDLER]: async (req: Request) => (await wellKnown(req)) ?? router[RAW_HANDLER](req),
      },
      { port: cfg.port, host: cfg.host },
    )
  } catch (err) {
    await appDb.close()
    throw err
  }
  app.publicUrl = cfg.publicUrl ?? `http://localhost:${server.port}`
  app.did = cfg.did ?? didWebFor(app.publicUrl)
  const cdnUrl = cfg.cdnUrl ?? `${app.publicUrl}/img`
  app.urls = blobUrls(cdnUrl)
  pool?.start({ dbUrl: cfg.dbUrl, cdnUrl })
  const indexer = new Indexer(appDb, { plugins: PLUGINS, lexicons })
  let sync: Sync | undefined
  if (cfg.relay) {
    const store = new DbSyncStore(appDb.db, `firehose:${cfg.relay}`, cfg.initialCursor)
    sync = createIngester({
      relay: cfg.relay,
      indexer,
      store,
      identity,
      fetch: cfg.fetch,
      batchSize: cfg.batchSize,
      backfill: cfg.backfill,
      onError: (err, c) => log.warn({ err, ...c }, 'ingest problem'),
    })
    await sync.start()
  }
  log.info({ url: app.publicUrl, did: app.did, relay: cfg.relay }, 'appview started')
  let closed: Promise<void> | undefined
  return {
    url: server.url,
    port: server.port,
    did: app.did,
    ctx: app,
    indexer,
    sync,
    readers: pool,
    close: () => {
      closed ??= (async () => {
        await sync?.stop()
        await server.close()
        await pool?.close()
        await appDb.close()
      })()
      return closed
    },
  }
}
