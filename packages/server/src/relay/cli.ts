/**
 * `stratus relay [options]` (wired into bin/stratus.ts by the lead): runs the relay until SIGINT/SIGTERM.
 * Options come from flags and environment variables (config.ts; `--help` lists them). Errors in the
 * options print to stderr with exit code 2.
 */
import { startRelay } from './app.ts'
import { ConfigError, readRelayConfig, relayConfigHelp } from './config.ts'

export const RELAY_USAGE = `Usage: stratus relay [options]

Runs a relay: subscribes to PDS hosts, verifies every event (signatures, sync 1.1 proofs, account
state) and serves one merged firehose (/xrpc/com.atproto.sync.subscribeRepos) plus a JSON stream
(/subscribe). Every option can also be set by environment variable.

${relayConfigHelp()}
`

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`)

export async function relayCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) return void out(RELAY_USAGE)
  let input: ReturnType<typeof readRelayConfig>
  try {
    input = readRelayConfig(argv, env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`stratus relay: ${err.message}\n`)
    process.exitCode = 2
    return
  }
  const relay = await startRelay(input)
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await relay.close()
}
