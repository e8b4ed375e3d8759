/**
 * Child process for pds-repo.bench.ts: starts one PDS (ours or the official one, with its own PLC
 * directory), prints `{"url": …}` on stdout, and runs until killed. Rate limits off on both.
 */
import { TestNetworkNoAppView } from '@atproto/dev-env'
import { startTestPds } from '../packages/server/src/pds/test-util.ts'

const which = process.argv[2]
if (which === 'ours') {
  const t = await startTestPds({ rateLimits: false })
  process.stdout.write(`${JSON.stringify({ url: t.url })}\n`)
} else {
  const net = await TestNetworkNoAppView.create({ pds: { rateLimitsEnabled: false } } as never)
  process.stdout.write(`${JSON.stringify({ url: net.pds.url })}\n`)
}

// Exit cleanly on SIGINT so `--cpu-prof` (bench/pds-profile.ts) can write its profile.
process.once('SIGINT', () => process.exit(0))
