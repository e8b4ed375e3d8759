/**
 * The network the browser test runs against, behind one function: `startStack()` returns the PDS URL the
 * app talks to, `settle()` (wait until the AppView has indexed every write) and `close()`.
 *
 * For now this is the official stack from @atproto/dev-env (PLC + PDS + bsky AppView on PostgreSQL), an
 * oracle we trust. When `stratus dev` exists, replace the body of startStack with it on a temporary data
 * directory; the test itself does not change.
 *
 * Tweaks to dev-env's defaults: the AppView's public URL is its real loopback address (so the image URLs
 * it hands out point at its own /img/ server, which the browser can load), and the PDS's read-after-write
 * image URLs use the same pattern. The PostgreSQL schemas are dropped before and after, so every run
 * starts empty.
 */
import { createServer } from 'node:net'
import { Socket } from 'node:net'

export interface TestStack {
  /** What the web app is configured with: the only server the browser calls (apart from image URLs). */
  pdsUrl: string
  /** Resolves once every write so far is visible through the AppView. */
  settle(): Promise<void>
  close(): Promise<void>
}

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'
// letters and underscores only: dev-env rejects digits (so not 'webe2e')
const SCHEMA = 'web_end_to_end'

/** Whether PostgreSQL answers on 127.0.0.1:5432 (a TCP connect, 1 s timeout). */
export async function postgresReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.connect(5432, '127.0.0.1', () => done(true))
  })
}

export async function startStack(): Promise<TestStack> {
  process.env.REDIS_HOST ??= '127.0.0.1' // dev-env's config requires it; nothing connects to it
  await dropSchemas()
  const { TestNetwork } = await import('@atproto/dev-env')
  const bskyPort = await freePort()
  const bskyUrl = `http://localhost:${bskyPort}`
  const network = await TestNetwork.create({
    dbPostgresUrl: PG_URL,
    dbPostgresSchema: SCHEMA,
    bsky: { port: bskyPort, publicUrl: bskyUrl } as never,
    pds: { bskyAppViewCdnUrlPattern: `${bskyUrl}/img/%s/plain/%s/%s@jpeg` } as never,
  })
  return {
    pdsUrl: network.pds.url,
    settle: () => network.processAll(),
    async close() {
      await network.close()
      await dropSchemas()
    },
  }
}

async function dropSchemas(): Promise<void> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ name: string }>(
      "select schema_name as name from information_schema.schemata where schema_name like '%' || $1 || '%'",
      [SCHEMA],
    )
    for (const { name } of rows) await client.query(`drop schema if exists "${name.replace(/"/g, '')}" cascade`)
  } finally {
    await client.end()
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((ok) => server.close(() => ok()))
  return port
}
