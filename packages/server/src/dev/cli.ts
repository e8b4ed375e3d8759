/** `stratus dev` (= `npm start`): the whole local network, its URLs, and a clean stop on Ctrl-C. */
import { resolve } from 'node:path'
import { DEFAULT_PORT_BASE, startDevNetwork } from './network.ts'
import { XRPCError } from '@stratus/core/xrpc'

export const DEV_USAGE = `Usage: stratus dev [--data DIR] [--port-base N] [--seed] [--no-web] [--web-dev] [--log-level LEVEL]

Starts a whole local Atmosphere on loopback, embedded SQLite only:
  web app N, PLC directory N+2, PDS N+3, AppView N+4, relay N+5   (N = --port-base, default ${DEFAULT_PORT_BASE})
  --data DIR       where everything is kept across restarts (default ./data)
  --seed           create demo accounts (alice.test, bob.test, carol.test, dan.test) with posts and photos
  --no-web         do not serve the web app
  --web-dev        serve the web app through Vite with hot reload (for working on the app)
  --log-level      service log level (default warn)
`

export interface DevArgs {
  dataDir: string
  portBase: number
  seed: boolean
  web: boolean
  webDev: boolean
  logLevel: string
  help: boolean
}

export function parseDevArgs(argv: readonly string[]): DevArgs {
  const args: DevArgs = {
    dataDir: resolve('data'),
    portBase: DEFAULT_PORT_BASE,
    seed: false,
    web: true,
    webDev: false,
    logLevel: 'warn',
    help: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--data') args.dataDir = resolve(value())
    else if (a === '--port-base') {
      args.portBase = Number(value())
      if (!Number.isInteger(args.portBase) || args.portBase < 1 || args.portBase > 65530) throw new Error('bad --port-base')
    } else if (a === '--seed') args.seed = true
    else if (a === '--no-web') args.web = false
    else if (a === '--web-dev') args.webDev = true
    else if (a === '--log-level') args.logLevel = value()
    else if (a === '--help' || a === '-h') args.help = true
    else throw new Error(`unknown option: ${a}`)
  }
  return args
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

export async function devCommand(argv: string[]): Promise<void> {
  let args: DevArgs
  try {
    args = parseDevArgs(argv)
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${DEV_USAGE}`)
    process.exitCode = 2
    return
  }
  if (args.help) return void say(DEV_USAGE)
  const started = Date.now()
  say(`Starting the local Atmosphere (data in ${args.dataDir}) …`)
  const net = await startDevNetwork(args)
  if (args.seed) await seed(net.urls.pds)
  say('')
  if (net.urls.web) say(`  Web app        ${net.urls.web}   ← open this`)
  say(`  PDS            ${net.urls.pds}`)
  say(`  AppView        ${net.urls.appview}  (${net.appviewDid})`)
  say(`  Relay          ${net.urls.relay}   (firehose: ${net.urls.relay.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos)`)
  say(`  PLC directory  ${net.urls.plc}`)
  say('')
  say(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Handles end in .test. Ctrl-C stops everything.`)
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      done()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  say('Stopping …')
  await net.close()
}
