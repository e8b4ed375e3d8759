/**
 * The whole Atmosphere in one process, wired over loopback exactly as it would be across the internet:
 * PLC directory → relay → PDS (asks the relay to crawl it) → AppView (follows the relay) → web app.
 * Embedded SQLite only; everything lives under one data directory and survives restarts.
 *
 * Ports (one base N, default 2580): web N, PLC N+2, PDS N+3, AppView N+4, relay N+5.
 * Handles end in `.test` and resolve without DNS: the AppView asks the PDS's `/.well-known/atproto-did`.
 */
import { request } from 'node:http'
import { join } from 'node:path'
import { startAppView } from '../appview/index.ts'
import { startPlcServer } from '../plc/index.ts'
import { createPds } from '../pds/index.ts'
import { resolveConfig } from '../pds/config.ts'
import { type Relay, startRelay } from '../relay/index.ts'
import type { AppView } from '../appview/index.ts'

export interface DevNetworkOptions {
  dataDir: string
  portBase?: number
  /** Serve the web app on the base port (default true). */
  web?: boolean
  /** Web app in Vite dev mode (hot reload) instead of a one-off build. */
  webDev?: boolean
  logLevel?: string
}

export interface DevNetwork {
  urls: { web?: string; plc: string; pds: string; appview: string; relay: string }
  appviewDid: string
  /**
   * Resolves once everything the PDS has sequenced so far went through the relay and was handled by the
   * AppView (for tests and seeding); rejects after `timeoutMs` saying which hop is behind.
   */
  settle(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export const DEFAULT_PORT_BASE = 2580
export const DEV_HANDLE_DOMAIN = '.test'

/** Resolves a hosted handle by asking the PDS's well-known endpoint with that handle as the Host. */
export function wellKnownHandleResolver(pdsUrl: string) {
  const { hostname, port } = new URL(pdsUrl)
  return (handle: string) =>
    new Promise<string | undefined>((resolve) => {
      const req = request(
        { hostname, port, path: '/.well-known/atproto-did', headers: { host: handle }, timeout: 3000 },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (c: string) => {
            body += c
            if (body.length > 2048) req.destroy()
          })
          res.on('end', () =>
            resolve(res.statusCode === 200 && body.trim().startsWith('did:') ? body.trim() : undefined),
          )
        },
      )
      req.on('error', () => resolve(undefined))
      req.on('timeout', () => req.destroy())
      req.end()
    })
}

export async function startDevNetwork(opts: DevNetworkOptions): Promise<DevNetwork> {
  const base = opts.portBase ?? DEFAULT_PORT_BASE
  const logLevel = opts.logLevel ?? 'warn'
  const dir = (name: string) => join(opts.dataDir, name)
  const closers: (() => Promise<void>)[] = []
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {})
  }
  // The web app's build (a few seconds of Vite) needs only the PDS URL: it runs while the services start.
  type Web = { url: string; close(): Promise<void> }
  const webStarting: Promise<Web> | undefined =
    (opts.web ?? true)
      ? import('../../../../apps/web/serve.ts').then(({ startWebServer }) =>
          startWebServer({ pdsUrl: `http://localhost:${base + 3}`, port: base, dev: opts.webDev ?? false }),
        )
      : undefined
  webStarting?.catch(() => {}) // awaited below; a failure is reported there
  try {
    const plc = await startPlcServer({
      port: base + 2,
      host: '127.0.0.1',
      dbUrl: `sqlite:${dir('plc.sqlite')}`,
      rateLimits: false,
    })
    closers.push(() => plc.close())
    const plcUrl = `http://localhost:${base + 2}`

    const relay = await startRelay({
      port: base + 5,
      bindHost: '127.0.0.1',
      dataDir: dir('relay'),
      devMode: true,
      plcUrl,
      seedHosts: [`localhost:${base + 3}`],
      logLevel,
    })
    closers.push(() => relay.close())
    const relayUrl = `http://localhost:${base + 5}`

    const appviewUrl = `http://localhost:${base + 4}`
    const appviewDid = `did:web:localhost%3A${base + 4}`
    const pds = await createPds(
      resolveConfig({
        hostname: 'localhost',
        port: base + 3,
        dataDir: dir('pds'),
        plcUrl,
        appviewUrl,
        appviewDid,
        crawlers: [relayUrl],
        devMode: true,
        handleDomains: [DEV_HANDLE_DOMAIN],
        logLevel,
      }),
    )
    await pds.start()
    closers.push(() => pds.close())

    const appview = await startAppView({
      port: base + 4,
      host: '127.0.0.1',
      publicUrl: appviewUrl,
      did: appviewDid,
      dbUrl: `sqlite:${dir('appview.sqlite')}`,
      relay: relayUrl,
      plcUrl,
      devMode: true,
      logLevel,
      resolveHandle: wellKnownHandleResolver(pds.url),
      initialCursor: 0,
    })
    closers.push(() => appview.close())

    const web = await webStarting
    if (web) closers.push(() => web.close())
    const pdsHost = `localhost:${base + 3}`
    return {
      urls: { web: web?.url, plc: plcUrl, pds: pds.url, appview: appviewUrl, relay: relayUrl },
      appviewDid,
      settle: (timeoutMs = 30_000) =>
        settle(() => pds.ctx.sequencer?.currentSeq() ?? 0, relay, pdsHost, appview, timeoutMs),
      close,
    }
  } catch (err) {
    await close()
    await webStarting?.then(
      (web) => web.close(),
      () => {},
    )
    throw err
  }
}

/**
 * Three hops, each compared by sequence number: the relay's cursor on the PDS reaches the PDS's newest seq
 * (the relay emits what it accepts before advancing that cursor), the relay's output is durable (published),
 * and the AppView has acknowledged that relay seq; then the AppView's queue is drained.
 */
async function settle(
  pdsSeq: () => number,
  relay: Relay,
  pdsHost: string,
  appview: AppView,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const until = async (cond: () => boolean, behind: () => string) => {
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`dev network did not settle in ${timeoutMs} ms: ${behind()}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  const target = pdsSeq()
  const hostCursor = () => relay.ctx.registry.get(pdsHost)?.cursor ?? 0
  await until(
    () => hostCursor() >= target,
    () => `relay has PDS seq ${hostCursor()}, PDS is at ${target}`,
  )
  const out = relay.ctx.sequencer
  await until(
    () => out.backlog === 0,
    () => `relay has ${out.backlog} events not yet durable`,
  )
  const relaySeq = out.durableSeq
  const acked = () => appview.sync?.cursor ?? 0
  await until(
    () => acked() >= relaySeq,
    () => `AppView has relay seq ${acked()}, relay is at ${relaySeq}`,
  )
  await appview.sync?.idle()
}
