/**
 * Serves only the web app, for working on it against a PDS that is already running:
 *   npx tsx apps/web/dev.ts [--pds http://localhost:2583] [--port 2580] [--hot]
 * --hot uses Vite's middleware mode with hot reload; without it the app is built once and served.
 */
import { parseArgs } from 'node:util'
import { startWebServer } from './serve.ts'

const { values } = parseArgs({
  options: {
    pds: { type: 'string', default: process.env.PDS_URL ?? 'http://localhost:2583' },
    port: { type: 'string', default: process.env.PORT ?? '2580' },
    host: { type: 'string', default: '127.0.0.1' },
    hot: { type: 'boolean', default: false },
  },
})

const started = Date.now()
const web = await startWebServer({ pdsUrl: values.pds, dev: values.hot, port: Number(values.port), host: values.host })
process.stdout.write(`web app: ${web.url} (PDS ${values.pds}; ready in ${Date.now() - started} ms)\n`)
const stop = () => {
  web.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
