/** `stratus dev` (= `npm start`): the whole local network, its URLs, and a clean stop on Ctrl-C. */
import { resolve } from 'node:path'
import { ConfigError, type Field, fieldHelp, parseFields, runService, takeHelp } from '../config/index.ts'
import { DEFAULT_PORT_BASE, startDevNetwork } from './network.ts'
import { XRPCError } from '@stratus/core/xrpc'

export interface DevArgs {
  dataDir: string
  portBase: number
  seed: boolean
  web: boolean
  webDev: boolean
  logLevel: string
  help: boolean
}

type DevOptions = Omit<DevArgs, 'help'>

const FIELDS: readonly Field<DevOptions>[] = [
  { key: 'dataDir', flag: 'data', kind: 'string', help: 'where everything is kept across restarts' },
  { key: 'portBase', flag: 'port-base', kind: 'int', help: 'N, the first port (see above)' },
  {
    key: 'seed',
    flag: 'seed',
    kind: 'bool',
    help: 'create demo accounts (alice.test, bob.test, carol.test, dan.test) with posts and photos',
  },
  { key: 'web', flag: 'web', kind: 'bool', help: 'serve the web app (--no-web: do not)' },
  { key: 'webDev', flag: 'web-dev', kind: 'bool', help: 'serve the web app through Vite with hot reload' },
  { key: 'logLevel', flag: 'log-level', kind: 'string', help: 'service log level' },
]

const DEFAULTS: DevOptions = {
  dataDir: './data',
  portBase: DEFAULT_PORT_BASE,
  seed: false,
  web: true,
  webDev: false,
  logLevel: 'warn',
}

export const DEV_USAGE = `Usage: stratus dev [--data DIR] [--port-base N] [--seed] [--no-web] [--web-dev] [--log-level LEVEL]

Starts a whole local Atmosphere on loopback, embedded SQLite only:
  web app N, PLC directory N+2, PDS N+3, AppView N+4, relay N+5   (N = --port-base)

${fieldHelp(FIELDS, DEFAULTS)}
`

/** Reads the flags over the defaults; `help` is set by --help / -h. Throws ConfigError. */
export function parseDevArgs(argv: readonly string[]): DevArgs {
  const [rest, help] = takeHelp(argv)
  const args = parseFields(FIELDS, rest, {}, DEFAULTS)
  if (args.portBase < 1 || args.portBase > 65530) throw new ConfigError('--port-base must be 1 … 65530')
  return { ...args, dataDir: resolve(args.dataDir), help }
}

const say = (s: string) => process.stdout.write(`${s}\n`)

/** The web app's demo content (the same as its README screenshots); a second run finds the handles taken. */
async function seed(pdsUrl: string): Promise<void> {
  const { DEMO_PASSWORD, seedDemo } = await import('../../../../apps/web/scripts/seed.ts')
  try {
    const accounts = await seedDemo(pdsUrl)
    const handles = Object.values(accounts).map((a) => a.handle)
    say(`Seeded demo accounts: ${handles.join(', ')} (password: "${DEMO_PASSWORD}")`)
  } catch (err) {
    if (!(err instanceof XRPCError && err.error === 'HandleNotAvailable')) throw err
    say('Demo accounts already exist.')
  }
}

/** Starts the network and prints its URLs. */
async function start(args: DevArgs) {
  const started = Date.now()
  say(`Starting the local Atmosphere (data in ${args.dataDir}) …`)
  const net = await startDevNetwork(args)
  if (args.seed) await seed(net.urls.pds)
  say('')
  if (net.urls.web) say(`  Web app        ${net.urls.web}   ← open this`)
  say(`  PDS            ${net.urls.pds}`)
  say(`  AppView        ${net.urls.appview}  (${net.appviewDid})`)
  say(
    `  Relay          ${net.urls.relay}   (firehose: ${net.urls.relay.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos)`,
  )
  say(`  PLC directory  ${net.urls.plc}`)
  say('')
  say(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Handles end in .test. Ctrl-C stops everything.`)
  return net
}

export async function devCommand(argv: string[]): Promise<void> {
  await runService(argv, {
    name: 'dev',
    usage: DEV_USAGE,
    parse: parseDevArgs,
    start,
    stopping: () => say('Stopping …'),
  })
}
