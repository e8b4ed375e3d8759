/**
 * The life of a long-running `stratus <service>` command: `--help` prints the usage; a bad option prints one
 * line to stderr with exit code 2; otherwise the service starts and runs until SIGINT/SIGTERM, then closes.
 */
import { ConfigError, takeHelp } from './fields.ts'

export interface ServiceCommand<C, S extends { close(): Promise<void> }> {
  /** The subcommand (`pds`), used in error messages. */
  name: string
  usage: string
  /** Reads and checks the options; throws ConfigError for a usage error. */
  parse(argv: readonly string[]): C
  start(cfg: C): Promise<S>
  /** Called when a signal arrives, before closing (to say so). */
  stopping?(signal: NodeJS.Signals): void
}

/**
 * Runs `cmd` until a signal and returns undefined. With `waitForSignal: false` it returns the running service
 * instead (tests and embedders close it themselves). Also undefined after `--help` or a usage error.
 */
export async function runService<C, S extends { close(): Promise<void> }>(
  argv: readonly string[],
  cmd: ServiceCommand<C, S>,
  { waitForSignal = true }: { waitForSignal?: boolean } = {},
): Promise<S | undefined> {
  if (takeHelp(argv)[1]) {
    process.stdout.write(cmd.usage.endsWith('\n') ? cmd.usage : `${cmd.usage}\n`)
    return undefined
  }
  let cfg: C
  try {
    cfg = cmd.parse(argv)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`stratus ${cmd.name}: ${err.message}\n(\`stratus ${cmd.name} --help\` lists the options)\n`)
    process.exitCode = 2
    return undefined
  }
  const service = await cmd.start(cfg)
  if (!waitForSignal) return service
  const signal = await untilSignal()
  cmd.stopping?.(signal)
  await service.close()
  return undefined
}

/** Resolves with the first SIGINT or SIGTERM (and stops listening for them). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
