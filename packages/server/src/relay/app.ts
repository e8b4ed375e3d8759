/**
 * `startRelay(config)`: the relay as one object. Wiring, in data-flow order:
 *
 *   hosts (registry) → crawler: one connection + pipeline per host → verify pool (workers)
 *     → processor (account state, chain, statuses) → sequencer (relay seq, group commit: log + database)
 *     → broadcasters → firehose consumers (subscribeRepos) and Jetstream consumers (/subscribe)
 *
 * On start the event log is cut back to the head the database recorded (log/event-log.ts explains why),
 * seed hosts are added as trusted and every active host is resumed from its cursor. Background timers:
 * retention pruning, persisting host cursors when no events flow, refreshing host limits as hosts age.
 */
import { DidResolver } from '@stratus/core/identity'
import pino, { type Logger } from 'pino'
import { type ServedHandle, RateLimiter, createXrpcRouter, serveFetch } from '../http/index.ts'
import { openDatabase } from '../db/index.ts'
import { loadBundledLexicons } from '../lexicons/index.ts'
import { handleAdmin } from './api/admin.ts'
import { registerHandlers } from './api/index.ts'
import { type RelayConfig, type RelayConfigInput, resolveRelayConfig } from './config.ts'
import type { RelayContext } from './context.ts'
import { RelayStore } from './db/store.ts'
import { KeyedBuckets } from './hosts/limits.ts'
import { HostRegistry } from './hosts/registry.ts'
import { Counters } from './ingest/counters.ts'
import { Crawler } from './ingest/crawler.ts'
import { Identities } from './ingest/identities.ts'
import { Processor } from './ingest/processor.ts'
import { Resyncer } from './ingest/resync.ts'
import { loadCrypto } from './ingest/verify-job.ts'
import { VerifyPool } from './ingest/verify-pool.ts'
import { EventLog } from './log/event-log.ts'
import { Broadcaster } from './output/consumer.ts'
import { firehoseUpgrade } from './output/firehose.ts'
import { jetstreamUpgrade } from './output/jetstream.ts'
import { Sequencer } from './output/sequencer.ts'
import { wsBinaryMessages } from './output/wire.ts'
import { Accounts } from './state/accounts.ts'

export const RELAY_VERSION = '0.1.0'

export interface Relay {
  readonly url: string
  readonly port: number
  readonly ctx: RelayContext
  handle(req: Request): Promise<Response>
  close(): Promise<void>
}

export interface RelayOptions {
  logger?: Logger
  /** Replaces DID resolution (tests). */
  didResolver?: { resolveNoCache(did: string): Promise<import('@stratus/core/identity').DidDocument | null> }
}

async function openState(cfg: RelayConfig) {
  const store = new RelayStore(openDatabase(cfg.dbUrl))
  await store.migrate()
  const log = await EventLog.open({ dir: cfg.logDir, fsync: cfg.fsync, segmentBytes: cfg.logSegmentBytes })
  const durable = Number((await store.getMeta('log_seq')) ?? 0)
  await log.truncateAfter(durable)
  return { store, log, startSeq: Math.max(durable, log.appendedSeq) }
}

/** Builds every part (see the module comment); nothing listens or connects yet. */
async function buildContext(cfg: RelayConfig, opts: RelayOptions): Promise<RelayContext> {
  const logger = opts.logger ?? pino({ name: 'relay', level: cfg.logLevel })
  const { store, log, startSeq } = await openState(cfg)
  const accounts = new Accounts(store)
  const resolver =
    opts.didResolver ?? new DidResolver({ plcUrl: cfg.plcUrl, allowPrivateNetwork: cfg.devMode, cache: false })
  const identities = new Identities(resolver)
  loadCrypto() // identities parse keys on this thread
  const pool = new VerifyPool({ workers: cfg.verifyWorkers, onError: (err) => logger.error({ err }, 'verify worker') })
  const counters = new Counters()
  const firehose = new Broadcaster(wsBinaryMessages)
  const jetstream = new Broadcaster()
  const ctx = { cfg, logger, store, log, accounts, identities, pool, counters, firehose, jetstream } as RelayContext
  ctx.startedAt = Date.now()
  ctx.registry = new HostRegistry({
    store,
    dev: cfg.devMode,
    limits: cfg.hostLimits,
    start: (h) => ctx.crawler.start(h),
    stop: (h) => ctx.crawler.stop(h),
  })
  ctx.sequencer = new Sequencer({
    log,
    store,
    startSeq,
    takeAccounts: () => accounts.takeDirty(),
    settleAccounts: (rows) => accounts.settled(rows),
    takeHosts: () => ctx.registry.takeDirty(),
    onPublish: (entries) => {
      firehose.publish(entries)
      if (jetstream.consumers.size > 0) jetstream.publish(entries)
      ctx.crawler.checkBacklog()
    },
    onError: (err) => logger.error({ err }, 'sequencer write failed; retrying'),
  })
  buildIngest(ctx)
  ctx.crawlLimiter = new RateLimiter({ limit: cfg.crawlRequestsPerHour, windowMs: 60 * 60_000, name: 'requestCrawl' })
  return ctx
}

/** The ingest side: state checks (processor), resyncs, and the per-host subscriptions (crawler). */
function buildIngest(ctx: RelayContext): void {
  ctx.processor = new Processor({
    cfg: { strict: ctx.cfg.strict, futureRevSlackMs: 5 * 60_000, maxHeld: 100, maxHeldBytes: 4 * 1024 * 1024 },
    accounts: ctx.accounts,
    sequencer: ctx.sequencer,
    counters: ctx.counters,
    requestResync: (did) => {
      ctx.counters.resyncs.requested++
      ctx.resyncer.request(did)
    },
    hostById: (id) => ctx.registry.byIdGet(id),
  })
  ctx.resyncer = new Resyncer({
    identities: ctx.identities,
    pool: ctx.pool,
    dev: ctx.cfg.devMode,
    maxRepoBytes: ctx.cfg.maxRepoBytes,
    timeoutMs: 60_000,
    concurrency: 4,
    cooldownMs: 30_000,
    maxAttempts: 5,
    onResult: (r) => ctx.processor.applyResync(r),
    onFailure: (did, err, final) => {
      if (final) ctx.counters.resyncs.failed++
      ctx.logger.warn({ did, err: (err as Error)?.message, final }, 'resync failed')
    },
  })
  ctx.crawler = new Crawler({
    dev: ctx.cfg.devMode,
    maxFrameBytes: ctx.cfg.maxFrameBytes,
    minBackoffMs: ctx.cfg.minBackoffMs,
    maxBackoffMs: ctx.cfg.maxBackoffMs,
    maxPending: 50_000,
    maxPendingBytes: 256 * 1024 * 1024,
    backlog: () => ({ events: ctx.sequencer.backlog, bytes: ctx.sequencer.backlogBytes }),
    logger: ctx.logger,
    pipeline: {
      pool: ctx.pool,
      identities: ctx.identities,
      accounts: ctx.accounts,
      processor: ctx.processor,
      accountLimiter: new KeyedBuckets(ctx.cfg.accountRate, ctx.cfg.accountBurst),
      maxInFlight: 4096,
      maxInFlightBytes: 64 * 1024 * 1024,
      onLostCommit: (did) => ctx.processor.lostCommit(did),
    },
  })
}

function fetchHandler(ctx: RelayContext) {
  const router = createXrpcRouter({
    lexicons: loadBundledLexicons(),
    version: RELAY_VERSION,
    onError: (err, nsid) => ctx.logger.error({ err, nsid }, 'request failed'),
  })
  registerHandlers(router, ctx)
  const streams = { log: ctx.log, limits: ctx.cfg.consumerLimits, maxConsumers: ctx.cfg.maxConsumers }
  const handle = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname
    if (path.startsWith('/admin/')) return handleAdmin(req, ctx)
    if (path === '/' && req.method === 'GET') {
      return new Response(
        `Stratus relay ${RELAY_VERSION}\n\nFirehose: /xrpc/com.atproto.sync.subscribeRepos\nJSON: /subscribe\n`,
        {
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        },
      )
    }
    return router.handle(req)
  }
  const upgrade = (req: Request) => {
    const path = new URL(req.url).pathname
    if (path === '/xrpc/com.atproto.sync.subscribeRepos') {
      return firehoseUpgrade(req, { ...streams, broadcaster: ctx.firehose })
    }
    if (path === '/subscribe') return jetstreamUpgrade(req, { ...streams, broadcaster: ctx.jetstream })
    return router.upgrade(req)
  }
  return { handle, upgrade }
}

function startTimers(ctx: RelayContext): () => void {
  const timers = [
    setInterval(() => {
      ctx.log.prune((Date.now() - ctx.cfg.retentionMs) * 1000).catch((err) => ctx.logger.error({ err }, 'prune failed'))
    }, 60_000),
    setInterval(() => {
      if (ctx.registry.all.some((h) => h.dirty)) ctx.sequencer.kick()
    }, 1000),
    setInterval(() => {
      for (const h of ctx.registry.all) h.refreshLimits()
    }, 60_000),
  ]
  for (const t of timers) t.unref?.()
  return () => {
    for (const t of timers) clearInterval(t)
  }
}

async function startHosts(ctx: RelayContext): Promise<void> {
  for (const seed of ctx.cfg.seedHosts) {
    try {
      await ctx.registry.requestCrawl(seed, { trusted: true, skipProbe: true })
    } catch (err) {
      ctx.logger.error({ seed, err: (err as Error).message }, 'invalid seed host')
    }
  }
  for (const h of ctx.registry.all) if (h.status === 'active' || h.status === 'offline') ctx.crawler.start(h)
}

export async function startRelay(input: RelayConfigInput = {}, opts: RelayOptions = {}): Promise<Relay> {
  const cfg = resolveRelayConfig(input)
  const ctx = await buildContext(cfg, opts)
  await ctx.registry.load()
  const { handle, upgrade } = fetchHandler(ctx)
  let served: ServedHandle
  try {
    served = await serveFetch(
      { handle, upgrade },
      { port: cfg.port, host: cfg.bindHost, onError: (err) => ctx.logger.warn({ err }, 'http error') },
    )
  } catch (err) {
    await shutdown(ctx, undefined, () => {})
    throw err
  }
  const stopTimers = startTimers(ctx)
  await startHosts(ctx)
  ctx.logger.info({ url: served.url, seq: ctx.sequencer.durableSeq, workers: ctx.pool.size }, 'relay listening')
  let closing: Promise<void> | undefined
  return {
    url: served.url,
    port: served.port,
    ctx,
    handle,
    close: () => {
      closing ??= shutdown(ctx, served, stopTimers)
      return closing
    },
  }
}

async function shutdown(ctx: RelayContext, served: ServedHandle | undefined, stopTimers: () => void): Promise<void> {
  stopTimers()
  ctx.crawler.stopAll()
  ctx.resyncer.close()
  ctx.firehose.closeAll()
  ctx.jetstream.closeAll()
  await served?.close()
  await ctx.sequencer.close()
  await ctx.pool.close()
  await ctx.log.close()
  await ctx.store.db.close()
}
