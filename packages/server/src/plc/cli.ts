/**
 * `stratus plc`: run the PLC directory alone until SIGINT/SIGTERM. Options (flags or PLC_* variables) are
 * listed in FIELDS and printed by `--help`. Exported for the CLI to wire.
 */
import type { Logger } from 'pino'
import { ConfigError, type Field, fieldHelp, parseFields, runService, takeHelp } from '../config/index.ts'
import type { RunningPlcServer } from './server.ts'
import { startPlcServer } from './server.ts'

export interface PlcCliConfig {
  port: number
  host: string
  dbUrl: string
  rateLimit: boolean
  help: boolean
}

/** Usage errors are the shared ConfigError (this name is kept for callers of parsePlcArgs). */
export { ConfigError as CliUsageError }

type PlcOptions = Omit<PlcCliConfig, 'help'>

const FIELDS: readonly Field<PlcOptions>[] = [
  { key: 'port', flag: 'port', env: 'PLC_PORT', kind: 'int', help: 'listen port; 0 = any free port' },
  { key: 'host', flag: 'host', env: 'PLC_HOST', kind: 'string', help: 'listen address; 0.0.0.0 listens on all' },
  {
    key: 'dbUrl',
    flag: 'db',
    env: 'PLC_DB_URL',
    kind: 'string',
    help: 'sqlite:<path>, sqlite::memory: or postgres://user@host:5432/db[?schema=name]',
  },
  {
    key: 'rateLimit',
    flag: 'rate-limit',
    env: 'PLC_RATE_LIMIT',
    kind: 'bool',
    help: 'per-DID operation limits (10/hour, 30/day, 100/week); off: --no-rate-limit',
  },
]

const DEFAULTS: PlcOptions = { port: 2582, host: '127.0.0.1', dbUrl: 'sqlite:./data/plc.sqlite', rateLimit: true }

export const PLC_USAGE = `Usage: stratus plc [--port 2582] [--host 127.0.0.1] [--db sqlite:./data/plc.sqlite|postgres://…] [--no-rate-limit]

Runs a did:plc directory (POST /:did, GET /:did, /:did/data, /:did/log, /:did/log/audit,
/:did/log/last, /export, /_health). Every option can also be set by environment variable.

${fieldHelp(FIELDS, DEFAULTS)}
`

/** Reads flags over env over defaults; `help` is set by --help / -h. Throws CliUsageError (ConfigError). */
export function parsePlcArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): PlcCliConfig {
  const [args, help] = takeHelp(argv)
  const cfg = { ...parseFields(FIELDS, args, env, DEFAULTS), help }
  if (cfg.port > 65535) throw new ConfigError(`invalid port: ${cfg.port}`)
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(cfg.dbUrl))
    throw new ConfigError('--db must be sqlite:<path> or postgres://…')
  return cfg
}

/**
 * Entry point for `stratus plc <argv>`: prints usage for --help, otherwise starts the server, logs where it
 * listens, and closes it on SIGINT/SIGTERM. With `handleSignals: false` it returns the running server.
 */
export async function plcCommand(
  argv: readonly string[],
  opts: { handleSignals?: boolean } = {},
): Promise<RunningPlcServer | null> {
  let log: Logger | undefined
  const server = await runService(
    argv,
    {
      name: 'plc',
      usage: PLC_USAGE,
      parse: (args) => parsePlcArgs(args),
      start: async (cfg) => {
        const { default: pino } = await import('pino')
        const logger = pino({ name: 'stratus-plc' })
        log = logger
        const server = await startPlcServer({
          port: cfg.port,
          host: cfg.host,
          dbUrl: cfg.dbUrl,
          rateLimits: cfg.rateLimit ? undefined : false,
          onError: (err, req) => logger.error({ err, method: req.method, url: req.url }, 'unexpected error'),
        })
        logger.info({ url: server.url, db: cfg.dbUrl.replace(/\/\/[^@/]*@/, '//***@') }, 'PLC directory listening')
        return server
      },
      stopping: (signal) => log?.info({ signal }, 'shutting down'),
    },
    { waitForSignal: opts.handleSignals ?? true },
  )
  return server ?? null
}
