/**
 * The relay configuration: one typed object from environment variables and command-line flags (flags win),
 * every setting listed in FLAGS with its flag, variable and meaning (printed by `stratus relay --help`).
 * Checks shapes (numbers, durations, URLs, hostnames); does not check that seeds or the PLC answer.
 */
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError, type Field, fieldHelp, parseDuration, parseFields } from '../config/index.ts'
import { DEFAULT_HOST_LIMITS, type HostLimitConfig } from './hosts/limits.ts'
import { DEFAULT_CONSUMER_LIMITS, type ConsumerLimits } from './output/consumer.ts'

export interface RelayConfig {
  port: number
  /** Interface to bind (default 0.0.0.0; dev 127.0.0.1). */
  bindHost: string
  /** Public DNS name, shown on the index page. */
  hostname?: string
  dataDir: string
  /** 'sqlite:<path>' (default <dataDir>/relay.sqlite) or 'postgres://…' for host and account state. */
  dbUrl: string
  /** The event log directory (default <dataDir>/events). */
  logDir: string
  /** Event log segment size (default 256 MiB); retention drops whole segments. */
  logSegmentBytes: number
  seedHosts: string[]
  adminPassword?: string
  /** Dev mode: loopback/private hosts, ports, http/ws and `.test` names allowed. */
  devMode: boolean
  /** Strict (default): drop commits whose sync 1.1 proof fails. Lenient: log and pass them. */
  strict: boolean
  /** How long events stay replayable (default 72 h). */
  retentionMs: number
  plcUrl: string
  /** Verification worker threads (default: cores - 1, at least 1; 0 = verify on the main thread). */
  verifyWorkers: number
  fsync: boolean
  maxConsumers: number
  maxFrameBytes: number
  maxRepoBytes: number
  /** Per-account commit rate (events/s, 0 = unlimited) and burst. */
  accountRate: number
  accountBurst: number
  hostLimits: HostLimitConfig
  consumerLimits: ConsumerLimits
  /** Reconnect backoff bounds. */
  minBackoffMs: number
  maxBackoffMs: number
  /** requestCrawl calls per IP per hour. */
  crawlRequestsPerHour: number
  logLevel: string
}

export type RelayConfigInput = Partial<RelayConfig>

export { ConfigError, parseDuration }

export const FLAGS: readonly Field<RelayConfig>[] = [
  { key: 'port', flag: 'port', env: 'RELAY_PORT', kind: 'int', help: 'port to listen on (default 2470; 0 = any)' },
  {
    key: 'bindHost',
    flag: 'host',
    env: 'RELAY_BIND_HOST',
    kind: 'string',
    help: 'interface to bind (default 0.0.0.0)',
  },
  { key: 'hostname', flag: 'hostname', env: 'RELAY_HOSTNAME', kind: 'string', help: 'public DNS name' },
  { key: 'dbUrl', flag: 'db', env: 'RELAY_DB_URL', kind: 'string', help: 'sqlite:<path> or postgres://… (state)' },
  { key: 'dataDir', flag: 'data-dir', env: 'RELAY_DATA_DIR', kind: 'string', help: 'data dir (default ./data/relay)' },
  {
    key: 'seedHosts',
    flag: 'seed-hosts',
    env: 'RELAY_SEED_HOSTS',
    kind: 'list',
    help: 'trusted PDS hosts, comma-separated',
  },
  { key: 'adminPassword', flag: 'admin-password', env: 'RELAY_ADMIN_PASSWORD', kind: 'string', help: 'admin password' },
  { key: 'devMode', flag: 'dev', env: 'RELAY_DEV_MODE', kind: 'bool', help: 'allow loopback/http hosts' },
  {
    key: 'strict',
    flag: 'strict',
    env: 'RELAY_STRICT',
    kind: 'bool',
    help: 'drop failed sync 1.1 proofs (default)',
    off: { flag: 'lenient', help: 'pass failed sync 1.1 proofs (logged)' },
  },
  { key: 'retentionMs', flag: 'retention', env: 'RELAY_RETENTION', kind: 'duration', help: 'replay window (72h)' },
  { key: 'plcUrl', flag: 'plc-url', env: 'RELAY_PLC_URL', kind: 'url', help: 'PLC directory URL' },
  { key: 'verifyWorkers', flag: 'workers', env: 'RELAY_VERIFY_WORKERS', kind: 'int', help: 'verify threads' },
  { key: 'fsync', flag: 'fsync', env: 'RELAY_FSYNC', kind: 'bool', help: 'fsync the event log (default true)' },
  { key: 'maxConsumers', flag: 'max-consumers', env: 'RELAY_MAX_CONSUMERS', kind: 'int', help: 'stream consumers' },
  { key: 'accountRate', flag: 'account-rate', env: 'RELAY_ACCOUNT_RATE', kind: 'int', help: 'commits/s per account' },
  { key: 'logLevel', flag: 'log-level', env: 'LOG_LEVEL', kind: 'string', help: 'pino level (default info)' },
]

const HOUR = 60 * 60 * 1000

export function resolveRelayConfig(input: RelayConfigInput = {}): RelayConfig {
  const devMode = input.devMode ?? false
  const dataDir = resolve(input.dataDir ?? './data/relay')
  const port = input.port ?? 2470
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port: ${port}`)
  const cfg: RelayConfig = {
    ...input,
    port,
    bindHost: input.bindHost ?? (devMode ? '127.0.0.1' : '0.0.0.0'),
    dataDir,
    dbUrl: input.dbUrl ?? `sqlite:${join(dataDir, 'relay.sqlite')}`,
    logDir: input.logDir ?? join(dataDir, 'events'),
    logSegmentBytes: input.logSegmentBytes ?? 256 * 1024 * 1024,
    seedHosts: input.seedHosts ?? [],
    devMode,
    strict: input.strict ?? true,
    retentionMs: input.retentionMs ?? 72 * HOUR,
    plcUrl: (input.plcUrl ?? 'https://plc.directory').replace(/\/+$/, ''),
    verifyWorkers: input.verifyWorkers ?? Math.max(1, availableParallelism() - 1),
    fsync: input.fsync ?? true,
    maxConsumers: input.maxConsumers ?? 1000,
    maxFrameBytes: input.maxFrameBytes ?? 5 * 1024 * 1024,
    maxRepoBytes: input.maxRepoBytes ?? 256 * 1024 * 1024,
    accountRate: input.accountRate ?? 20,
    accountBurst: input.accountBurst ?? 200,
    hostLimits: { ...DEFAULT_HOST_LIMITS, ...input.hostLimits },
    consumerLimits: { ...DEFAULT_CONSUMER_LIMITS, ...input.consumerLimits },
    minBackoffMs: input.minBackoffMs ?? 1000,
    maxBackoffMs: input.maxBackoffMs ?? 5 * 60_000,
    crawlRequestsPerHour: input.crawlRequestsPerHour ?? 30,
    logLevel: input.logLevel ?? 'info',
  }
  if (!(cfg.retentionMs > 0)) throw new ConfigError('retention must be positive')
  if (cfg.verifyWorkers < 0 || !Number.isInteger(cfg.verifyWorkers)) throw new ConfigError('workers must be >= 0')
  if (!/^https?:\/\//.test(cfg.plcUrl)) throw new ConfigError(`plcUrl is not an http(s) URL: ${cfg.plcUrl}`)
  if (!cfg.dbUrl.startsWith('sqlite:') && !/^postgres(ql)?:\/\//.test(cfg.dbUrl)) {
    throw new ConfigError('db must be sqlite:<path> or postgres://…')
  }
  return cfg
}

/** Merges environment and flags (flags win); `--lenient` = `--no-strict`. */
export function readRelayConfig(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): RelayConfigInput {
  return parseFields(FLAGS, argv, env)
}

export function relayConfigHelp(): string {
  return fieldHelp(FLAGS)
}
