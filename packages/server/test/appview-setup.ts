/**
 * Shared setup of the AppView cross-service tests: the official PLC + PDS from @atproto/dev-env on
 * loopback (its PDS proxies app.bsky.* to our AppView with service-auth tokens, as a Stratus PDS will),
 * our AppView following that PDS's firehose, and an @atproto/api agent per account whose every app.bsky
 * response is checked against our lexicons.
 */
import { createServer } from 'node:net'
import { AtpAgent } from '@atproto/api'
import { TestNetworkNoAppView } from '@atproto/dev-env'
import { jsonToLex } from '@stratus/core/data'
import { type AppView, startAppView } from '../src/appview/index.ts'
import { pgTestUrl, testSchemaName } from '../src/db/test-util.ts'
import { loadBundledLexicons } from '../src/lexicons/index.ts'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export type DbKind = 'sqlite' | 'postgres'

/** A database URL for the AppView: a temp SQLite file, or a fresh PostgreSQL schema (letters only). */
export async function testDbUrl(kind: DbKind, suite: string, dir: string): Promise<string | undefined> {
  if (kind === 'sqlite') return `sqlite:${dir}/appview-${suite}.db`
  const base = await pgTestUrl()
  if (!base) return undefined
  const u = new URL(base)
  u.searchParams.set('schema', testSchemaName(suite))
  return u.toString()
}

export async function dropPgSchema(url: string): Promise<void> {
  const u = new URL(url)
  const schema = u.searchParams.get('schema')
  if (!schema) return
  u.searchParams.delete('schema')
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: u.toString() })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await client.end()
}

export interface Stack {
  network: TestNetworkNoAppView
  appview: AppView
  avPort: number
  dbUrl: string
  /** Response validation failures seen by any agent. */
  invalid: string[]
  /** How many app.bsky responses were validated. */
  validated: { count: number }
  agent(): AtpAgent
  /** Starts (or restarts) the AppView on the same port and database. */
  startAppView(extra?: Parameters<typeof startAppView>[0]): Promise<AppView>
  /** Waits until the AppView has handled everything the PDS has sequenced so far. */
  synced(): Promise<void>
  close(): Promise<void>
}

/** Checks every app.bsky JSON response against our lexicons. */
function validatingFetch(invalid: string[], validated: { count: number }): typeof fetch {
  const lexicons = loadBundledLexicons()
  return async (input, init) => {
    const res = await fetch(input, init)
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    const nsid = url.pathname.startsWith('/xrpc/') ? url.pathname.slice(6) : ''
    if (res.ok && nsid.startsWith('app.bsky.') && res.headers.get('content-type')?.includes('json')) {
      const body = await res.clone().json()
      validated.count++
      try {
        lexicons.assertValidXrpcOutput(nsid, jsonToLex(body))
      } catch (err) {
        invalid.push(`${nsid}: ${(err as Error).message}`)
      }
    }
    return res
  }
}

export async function startStack(dbUrl: string, opts: { initialCursor?: number } = {}): Promise<Stack> {
  const avPort = await freePort()
  const avDid = `did:web:localhost%3A${avPort}`
  const network = await TestNetworkNoAppView.create({
    pds: { bskyAppViewUrl: `http://localhost:${avPort}`, bskyAppViewDid: avDid },
  })
  const pdsUrl = network.pds.url
  const resolveHandle = async (handle: string) => {
    const res = await fetch(`${pdsUrl}/xrpc/com.atproto.identity.resolveHandle?handle=${encodeURIComponent(handle)}`)
    return res.ok ? ((await res.json()) as { did: string }).did : undefined
  }
  const invalid: string[] = []
  const validated = { count: 0 }
  const stack: Stack = {
    network,
    appview: undefined as unknown as AppView,
    avPort,
    dbUrl,
    invalid,
    validated,
    agent: () => new AtpAgent({ service: pdsUrl, fetch: validatingFetch(invalid, validated) }),
    startAppView: async (extra = {}) => {
      stack.appview = await startAppView({
        port: avPort,
        dbUrl,
        relay: pdsUrl,
        plcUrl: network.plc.url,
        devMode: true,
        resolveHandle,
        logLevel: 'silent',
        initialCursor: opts.initialCursor,
        ...extra,
      })
      return stack.appview
    },
    synced: async () => {
      const target = await network.pds.ctx.sequencer.curr()
      const deadline = Date.now() + 20_000
      while ((stack.appview.sync?.cursor ?? -1) < (target ?? 0)) {
        if (Date.now() > deadline) throw new Error(`AppView stuck at ${stack.appview.sync?.cursor}, PDS at ${target}`)
        await new Promise((r) => setTimeout(r, 20))
      }
      await stack.appview.sync?.idle()
    },
    close: async () => {
      await stack.appview?.close()
      await network.close()
    },
  }
  await stack.startAppView()
  return stack
}
