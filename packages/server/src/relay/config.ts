/**
 * The relay configuration: one typed object from environment variables and command-line flags (flags win),
 * every setting listed in FLAGS with its flag, variable and meaning (printed by `stratus relay --help`).
 * Checks shapes (numbers, durations, URLs, hostnames); does not check that seeds or the PLC answer.
 */
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
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

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Kind = 'string' | 'int' | 'bool' | 'list' | 'duration'
interface Field {
  key: keyof RelayConfig
  flag: string
  env: string
  kind: Kind
  help: string
}

export const FLAGS: readonly Field[] = [
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
  { key: 'strict', flag: 'strict', env: 'RELAY_STRICT', kind: 'bool', help: 'drop failed sync 1.1 proofs (default)' },
  { key: 'retentionMs', flag: 'retention', env: 'RELAY_RETENTION', kind: 'duration', help: 'replay window (72h)' },
  { key: 'plcUrl', flag: 'plc-url', env: 'RELAY_PLC_URL', kind: 'string', help: 'PLC directory URL' },
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

/** Parses durations like `72h`, `30m`, `45s`, `2d` or plain milliseconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(raw.trim())
  if (!m) throw new ConfigError(`not a duration: ${raw}`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: HOUR, d: 24 * HOUR }[(m[2] ?? 'ms') as 'ms']
  return Math.round(Number(m[1]) * unit)
}

function parseValue(f: Field, raw: string): unknown {
  switch (f.kind) {
    case 'int':
      if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${f.env} / --${f.flag} must be a whole number: ${raw}`)
      return Number(raw.trim())
    case 'bool': {
      const v = raw.trim().toLowerCase()
      if (['1', 'true', 'yes', 'on'].includes(v)) return true
      if (['0', 'false', 'no', 'off'].includes(v)) return false
      throw new ConfigError(`${f.env} / --${f.flag} must be true or false: ${raw}`)
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    case 'duration':
      return parseDuration(raw)
    default:
      return raw
  }
}

/** Merges environment and flags (`--name value`, `--name=value`, `--flag` / `--no-flag`, `--lenient`). */
export function readRelayConfig(argv: readonly string[], env: Record<string, string | undefined> = process.env) {
  const out: Record<string, unknown> = {}
  for (const f of FLAGS) {
    const raw = env[f.env]
    if (raw !== undefined && raw !== '') out[f.key] = parseValue(f, raw)
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument: ${arg}`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    if (name === 'lenient' && eq < 0) {
      out.strict = false
      continue
    }
    const field = FLAGS.find((f) => f.flag === name || (f.kind === 'bool' && `no-${f.flag}` === name))
    if (!field) throw new ConfigError(`unknown option: --${name}`)
    if (field.kind === 'bool' && eq < 0) {
      out[field.key] = !name.startsWith('no-')
      continue
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined) throw new ConfigError(`--${name} needs a value`)
    out[field.key] = parseValue(field, value)
  }
  return out as RelayConfigInput
}

export function relayConfigHelp(): string {
  const lines = FLAGS.map((f) => `  --${f.flag.padEnd(16)} ${f.env.padEnd(22)} ${f.help}`)
  lines.push(`  --${'lenient'.padEnd(16)} ${''.padEnd(22)} pass failed sync 1.1 proofs (logged)`)
  return lines.join('\n')
}
