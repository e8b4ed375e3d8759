/**
 * `stratus plc`: run the PLC directory alone.
 *   --port <n>        listen port (default 2582, env PLC_PORT)
 *   --host <addr>     listen address (default 127.0.0.1, env PLC_HOST; 0.0.0.0 for all interfaces)
 *   --db <url>        sqlite:<path> | sqlite::memory: | postgres://user@host:5432/db[?schema=name]
 *                     (default sqlite:./data/plc.sqlite, env PLC_DB_URL)
 *   --no-rate-limit   disable the per-DID operation rate limits (10/hour, 30/day, 100/week)
 *   --help
 * Exported for the CLI to wire; runs until SIGINT/SIGTERM.
 */
import type { RunningPlcServer } from './server.ts'
import { startPlcServer } from './server.ts'

export const PLC_USAGE = `Usage: stratus plc [--port 2582] [--host 127.0.0.1] [--db sqlite:./data/plc.sqlite|postgres://…] [--no-rate-limit]

Runs a did:plc directory (POST /:did, GET /:did, /:did/data, /:did/log, /:did/log/audit,
/:did/log/last, /export, /_health).

  --port <n>        listen port (env PLC_PORT, default 2582)
  --host <addr>     listen address (env PLC_HOST, default 127.0.0.1; use 0.0.0.0 to listen on all)
  --db <url>        sqlite:<path>, sqlite::memory: or postgres://user@host:5432/db[?schema=name]
                    (env PLC_DB_URL, default sqlite:./data/plc.sqlite)
  --no-rate-limit   disable per-DID operation limits (10/hour, 30/day, 100/week)
`

export interface PlcCliConfig {
  port: number
  host: string
  dbUrl: string
  rateLimit: boolean
  help: boolean
}

export class CliUsageError extends Error {
  override name = 'CliUsageError'
}

/** Parses flags (both `--flag value` and `--flag=value`), falling back to env, then defaults. */
export function parsePlcArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): PlcCliConfig {
  const cfg: PlcCliConfig = {
    port: Number(env.PLC_PORT ?? 2582),
    host: env.PLC_HOST ?? '127.0.0.1',
    dbUrl: env.PLC_DB_URL ?? 'sqlite:./data/plc.sqlite',
    rateLimit: true,
    help: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2)
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new CliUsageError(`${flag} needs a value`)
      return v
    }
    if (flag === '--port') cfg.port = Number(value())
    else if (flag === '--host') cfg.host = value()
    else if (flag === '--db') cfg.dbUrl = value()
    else if (flag === '--no-rate-limit') cfg.rateLimit = false
    else if (flag === '--help' || flag === '-h') cfg.help = true
    else throw new CliUsageError(`unknown option: ${argv[i]}`)
  }
  if (!Number.isInteger(cfg.port) || cfg.port < 0 || cfg.port > 65535)
    throw new CliUsageError(`invalid port: ${cfg.port}`)
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(cfg.dbUrl))
    throw new CliUsageError('--db must be sqlite:<path> or postgres://…')
  return cfg
}

/**
 * Entry point for `stratus plc <argv>`: prints usage for --help (returns null), otherwise starts
 * the server, logs where it listens, and closes it on SIGINT/SIGTERM.
 */
export async function plcCommand(
  argv: readonly string[],
  opts: { handleSignals?: boolean } = {},
): Promise<RunningPlcServer | null> {
  const cfg = parsePlcArgs(argv)
  if (cfg.help) {
    process.stdout.write(PLC_USAGE)
    return null
  }
  const { default: pino } = await import('pino')
  const log = pino({ name: 'stratus-plc' })
  const server = await startPlcServer({
    port: cfg.port,
    host: cfg.host,
    dbUrl: cfg.dbUrl,
    rateLimits: cfg.rateLimit ? undefined : false,
    onError: (err, req) => log.error({ err, method: req.method, url: req.url }, 'unexpected error'),
  })
  log.info({ url: server.url, db: cfg.dbUrl.replace(/\/\/[^@/]*@/, '//***@') }, 'PLC directory listening')
  if (opts.handleSignals ?? true) {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down')
      server.close().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'error while closing')
          process.exit(1)
        },
      )
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }
  return server
}
