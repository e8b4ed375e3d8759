/**
 * `stratus appview [options]` (wired into bin/stratus.ts by the lead): runs the AppView until SIGINT or
 * SIGTERM. Options come from flags or environment variables (see `--help`). Usage errors exit with 2.
 */
import { runService } from '../config/index.ts'
import { configHelp, readConfig } from './config.ts'

export const APPVIEW_USAGE = `Usage: stratus appview [options]

Runs an AppView: indexes app.bsky records from a relay's firehose and serves the app.bsky API.
Every option can also be set by environment variable (flags win).

${configHelp()}

Example:
  stratus appview --relay https://relay.example.com --db sqlite:./data/appview.db --public-url https://appview.example.com
`

export async function appviewCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  await runService(argv, {
    name: 'appview',
    usage: APPVIEW_USAGE,
    parse: (args) => readConfig(args, env),
    start: async (cfg) => {
      const { startAppView } = await import('./index.ts')
      const av = await startAppView(cfg)
      process.stdout.write(`appview listening on ${av.url} as ${av.did}${cfg.relay ? `, indexing ${cfg.relay}` : ''}\n`)
      return av
    },
  })
}
