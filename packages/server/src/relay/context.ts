/**
 * What the HTTP handlers of the relay need, built once by app.ts. A plain record of the relay's parts,
 * each documented in its own module.
 */
import type { Logger } from 'pino'
import type { RateLimiter } from '../http/index.ts'
import type { RelayConfig } from './config.ts'
import type { RelayStore } from './db/store.ts'
import type { HostRegistry } from './hosts/registry.ts'
import type { Counters } from './ingest/counters.ts'
import type { Crawler } from './ingest/crawler.ts'
import type { Identities } from './ingest/identities.ts'
import type { Processor } from './ingest/processor.ts'
import type { Resyncer } from './ingest/resync.ts'
import type { VerifyPool } from './ingest/verify-pool.ts'
import type { EventLog } from './log/event-log.ts'
import type { Broadcaster } from './output/consumer.ts'
import type { Sequencer } from './output/sequencer.ts'
import type { Accounts } from './state/accounts.ts'

export interface RelayContext {
  cfg: RelayConfig
  logger: Logger
  store: RelayStore
  log: EventLog
  registry: HostRegistry
  crawler: Crawler
  accounts: Accounts
  identities: Identities
  processor: Processor
  sequencer: Sequencer
  resyncer: Resyncer
  pool: VerifyPool
  counters: Counters
  firehose: Broadcaster
  jetstream: Broadcaster
  crawlLimiter: RateLimiter
  startedAt: number
}
