/**
 * The network the browser test runs against: `stratus dev` itself (startDevNetwork, the same function
 * `npm start` calls) on a fresh temporary data directory and a free port base, serving the web app from
 * its own web server. `settle()` waits until the AppView has handled everything the PDS sequenced so far
 * (DevNetwork.settle: PDS seq → relay cursor → AppView cursor). `close()` stops it and deletes the data.
 *
 * Importing server/dev from apps/web is allowed for apps/web/test only (it runs the whole network).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DevNetwork, freePortBase, startDevNetwork } from '../../../packages/server/src/dev/index.ts'

export interface TestStack {
  /** The web app served by the dev network. */
  webUrl: string
  /** What the web app is configured with: the only server the browser calls (apart from image URLs). */
  pdsUrl: string
  /** Resolves once every write so far is visible through the AppView. */
  settle(): Promise<void>
  close(): Promise<void>
}

export async function startStack(): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stratus-web-e2e-'))
  let net: DevNetwork | undefined
  // The port base is free when chosen but may be taken before we bind: try a few.
  for (let attempt = 1; !net; attempt++) {
    try {
      net = await startDevNetwork({ dataDir, portBase: await freePortBase(), web: true, logLevel: 'error' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) {
        rmSync(dataDir, { recursive: true, force: true })
        throw err
      }
    }
  }
  const { web, pds } = net.urls
  if (!web) throw new Error('dev network started without the web app')
  return {
    webUrl: web,
    pdsUrl: pds,
    settle: () => (net as DevNetwork).settle(60_000),
    async close() {
      await (net as DevNetwork).close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
