/**
 * `stratus relay [options]` (wired into bin/stratus.ts by the lead): runs the relay until SIGINT/SIGTERM.
 * Options come from flags and environment variables (config.ts; `--help` lists them). Errors in the
 * options print to stderr with exit code 2.
 */
import { runService } from '../config/index.ts'
import { startRelay } from './app.ts'
import { readRelayConfig, relayConfigHelp, resolveRelayConfig } from './config.ts'

export const RELAY_USAGE = `Usage: stratus relay [options]

Runs a relay: subscribes to PDS hosts, verifies every event (signatures, sync 1.1 proofs, account
state) and serves one merged firehose (/xrpc/com.atproto.sync.subscribeRepos) plus a JSON stream
(/subscribe). Every option can also be set by environment variable.

${relayConfigHelp()}
`

export async function relayCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  await runService(argv, {
    name: 'relay',
    usage: RELAY_USAGE,
    parse: (args) => {
      const input = readRelayConfig(args, env)
      resolveRelayConfig(input) // checks the combination now, so a bad option is a usage error
      return input
    },
    start: (input) => startRelay(input),
  })
}
