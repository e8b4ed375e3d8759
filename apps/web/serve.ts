/**
 * Serves the Stratus web app from Node with no build step beforehand (Node-only; the app itself lives in
 * src/ and is browser-only). Two ways, chosen by `dev`:
 * - `dev: false` (default): one production build with Vite (in a worker thread) into a temporary
 *   directory at startup — measured 1.5–4 s on two busy cores — then plain static files.
 * - `dev: true`: the Vite dev server in middleware mode: modules transformed on request, hot reload when
 *   you edit apps/web/src (HMR needs `hmrServer`, the node:http server the handler is mounted on).
 * Either way every HTML page gets the runtime config (`window.__STRATUS__ = { pdsUrl }`) injected, the
 * same object is served at /config.json, and paths that are neither files nor asset-like (.js, .png, …)
 * get index.html so the app's own router can answer deep links (/profile/alice.test).
 *
 * Imports vite and Node built-ins only, never other Stratus server modules. Not done here: TLS,
 * compression, cache validation (ETags); assets under /assets/ carry content hashes and are immutable.
 */
import { readFile, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { extname, join, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { InlineConfig, ViteDevServer } from 'vite'

export interface WebHandlerOptions {
  /** Where the browser finds the PDS (it talks to nothing else), e.g. 'http://localhost:2583'. */
  pdsUrl: string
  /** Vite middleware mode with hot reload instead of a one-off production build. */
  dev?: boolean
  /** dev only: the server the handler is mounted on, so Vite's hot-reload WebSocket can share its port. */
  hmrServer?: Server
}

/** A request handler in both styles; `close()` stops Vite (dev) or removes the temporary build (build). */
export interface WebHandler {
  /** node:http / connect style. Without `next`, unknown paths get 404. */
  node(req: IncomingMessage, res: ServerResponse, next?: () => void): void
  /** fetch style (Request → Response); in dev mode it goes through a private loopback server. */
  fetch(req: Request): Promise<Response>
  close(): Promise<void>
}

const appRoot = fileURLToPath(new URL('.', import.meta.url))
const CONFIG_MARK = '<!--stratus-config-->'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.ts': 'text/javascript; charset=utf-8',
  '.tsx': 'text/javascript; charset=utf-8',
}

/** The config object the app reads at startup (src/config.ts). */
export function runtimeConfig(opts: WebHandlerOptions): { pdsUrl: string } {
  return { pdsUrl: new URL(opts.pdsUrl).toString().replace(/\/$/, '') }
}

/** index.html with the runtime config script in place of the marker (JSON made safe inside <script>). */
export function injectConfig(html: string, config: object): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c')
  return html.replace(CONFIG_MARK, `<script>window.__STRATUS__ = ${json}</script>`)
}

function viteConfig(extra: InlineConfig): InlineConfig {
  return {
    root: appRoot,
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    ...extra,
  }
}

async function reactPlugin() {
  const { default: react } = await import('@vitejs/plugin-react')
  return react()
}

export async function createWebHandler(opts: WebHandlerOptions): Promise<WebHandler> {
  return opts.dev ? createDevHandler(opts) : createBuiltHandler(opts)
}

/** Serves the app on its own port (the shape `stratus dev` needs for the web port). */
export async function startWebServer(
  opts: Omit<WebHandlerOptions, 'hmrServer'> & { port: number; host?: string },
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = createServer()
  const handler = await createWebHandler({ ...opts, hmrServer: opts.dev ? server : undefined })
  server.on('request', (req, res) => handler.node(req, res))
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => ok())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://localhost:${port}`,
    port,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
      await handler.close()
    },
  }
}

// ---- build mode -------------------------------------------------------------------------------------

interface Reply {
  status: number
  headers: Record<string, string>
  body: Uint8Array | string
}

async function createBuiltHandler(opts: WebHandlerOptions): Promise<WebHandler> {
  const outDir = join(tmpdir(), `stratus-web-${process.pid}-${Date.now().toString(36)}`)
  await buildInWorker(outDir)
  const config = runtimeConfig(opts)
  const index = injectConfig(await readFile(join(outDir, 'index.html'), 'utf8'), config)
  const reply = (method: string, pathname: string) => staticReply(outDir, index, config, method, pathname)
  return {
    node(req, res, next) {
      const { pathname } = new URL(req.url ?? '/', 'http://x')
      reply(req.method ?? 'GET', pathname).then(
        (r) => (r.status === 404 && next ? next() : writeReply(res, r, req.method === 'HEAD')),
        () => writeReply(res, { status: 500, headers: {}, body: 'internal error' }, false),
      )
    },
    async fetch(req) {
      const r = await reply(req.method, new URL(req.url).pathname)
      const body =
        req.method === 'HEAD' ? null : typeof r.body === 'string' ? r.body : (r.body as Uint8Array<ArrayBuffer>)
      return new Response(body, { status: r.status, headers: r.headers })
    },
    close: () => rm(outDir, { recursive: true, force: true }),
  }
}

// The build runs in a worker thread without the parent's loader hooks: under tsx (how `npm start` runs),
// importing Vite's ~1000 modules through the hooks takes ~4 s instead of ~0.8 s. It also keeps the main
// thread free to start the other services meanwhile. The worker is plain JavaScript, so it gets absolute
// module URLs rather than bare names.
const BUILD_WORKER = `
const { parentPort, workerData: d } = require('node:worker_threads')
;(async () => {
  const vite = await import(d.viteUrl)
  const { default: react } = await import(d.reactUrl)
  await vite.build({
    root: d.root, configFile: false, logLevel: 'warn', clearScreen: false, plugins: [react()],
    build: { outDir: d.outDir, emptyOutDir: true, reportCompressedSize: false },
  })
})().then(() => parentPort.postMessage({ ok: true }), (err) => parentPort.postMessage({ error: String(err?.stack ?? err) }))
`

async function buildInWorker(outDir: string): Promise<void> {
  const require = createRequire(import.meta.url)
  const workerData = {
    viteUrl: pathToFileURL(require.resolve('vite')).href,
    reactUrl: pathToFileURL(require.resolve('@vitejs/plugin-react')).href,
    root: appRoot,
    outDir,
  }
  const worker = new Worker(BUILD_WORKER, { eval: true, execArgv: [], workerData })
  try {
    const result = await new Promise<{ ok?: true; error?: string }>((ok, fail) => {
      worker.once('message', ok)
      worker.once('error', fail)
      worker.once('exit', (code) => fail(new Error(`web app build worker exited with code ${code}`)))
    })
    if (result.error) throw new Error(`building the web app failed: ${result.error}`)
  } finally {
    await worker.terminate()
  }
}

async function staticReply(
  dir: string,
  index: string,
  config: object,
  method: string,
  pathname: string,
): Promise<Reply> {
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed', { allow: 'GET, HEAD' })
  if (pathname === '/config.json') return { status: 200, headers: json(), body: JSON.stringify(config) }
  let path: string
  try {
    path = decodeURIComponent(pathname)
  } catch {
    return text(400, 'bad path')
  }
  const file = resolve(dir, `.${path}`)
  if (file !== dir && !file.startsWith(dir + sep)) return text(404, 'not found')
  if (path !== '/' && path !== '/index.html' && (await isFile(file))) {
    const immutable = path.startsWith('/assets/')
    return {
      status: 200,
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
      body: new Uint8Array(await readFile(file)),
    }
  }
  if (!isPagePath(path)) return text(404, 'not found')
  return { status: 200, headers: { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' }, body: index }
}

/**
 * Whether a path that is not a file should get index.html: app routes yes, missing assets no. Routes can
 * end in what looks like an extension (/profile/alice.test), so only asset-like endings are refused.
 */
function isPagePath(path: string): boolean {
  if (path.startsWith('/assets/') || path.startsWith('/@')) return false
  const ext = extname(path)
  return !ext || ext === '.html' || !(ext in TYPES)
}

async function isFile(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => null)
  return s?.isFile() ?? false
}

function text(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': TYPES['.txt'], ...headers }, body }
}

function json(): Record<string, string> {
  return { 'content-type': 'application/json', 'cache-control': 'no-cache' }
}

function writeReply(res: ServerResponse, r: Reply, head: boolean): void {
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body
  res.writeHead(r.status, { ...r.headers, 'content-length': String(body.byteLength) })
  res.end(head ? undefined : body)
}

// ---- dev mode (Vite middleware) -------------------------------------------------------------------------

async function createDevHandler(opts: WebHandlerOptions): Promise<WebHandler> {
  const { createServer: createVite } = await import('vite')
  const vite = await createVite(
    viteConfig({
      plugins: [await reactPlugin()],
      appType: 'custom',
      server: { middlewareMode: true, hmr: opts.hmrServer ? { server: opts.hmrServer } : false },
      optimizeDeps: { include: ['react', 'react-dom/client', 'react/jsx-dev-runtime'] },
    }),
  )
  const config = runtimeConfig(opts)
  const node = (req: IncomingMessage, res: ServerResponse, next?: () => void) => {
    vite.middlewares(req, res, () => {
      devFallback(vite, config, req, res, next).catch((err: Error) => {
        vite.ssrFixStacktrace(err)
        writeReply(res, { status: 500, headers: {}, body: err.message }, false)
      })
    })
  }
  let bridge: Promise<{ server: Server; origin: string }> | undefined
  return {
    node,
    async fetch(req) {
      bridge ??= loopbackServer(node)
      const { origin } = await bridge
      const url = new URL(req.url)
      return globalThis.fetch(new URL(url.pathname + url.search, origin), {
        method: req.method,
        headers: req.headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer(),
        redirect: 'manual',
      })
    },
    async close() {
      if (bridge) {
        const { server } = await bridge
        server.closeAllConnections()
        await new Promise<void>((ok) => server.close(() => ok()))
      }
      await vite.close()
    },
  }
}

/** What Vite's middlewares leave over: /config.json, then index.html for page paths, else 404. */
async function devFallback(
  vite: ViteDevServer,
  config: object,
  req: IncomingMessage,
  res: ServerResponse,
  next?: () => void,
): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://x')
  if (pathname === '/config.json')
    return writeReply(res, { status: 200, headers: json(), body: JSON.stringify(config) }, false)
  const isPage = (req.method === 'GET' || req.method === 'HEAD') && isPagePath(pathname)
  if (!isPage) {
    if (next) return next()
    return writeReply(res, text(404, 'not found'), false)
  }
  const raw = await readFile(join(appRoot, 'index.html'), 'utf8')
  const html = injectConfig(await vite.transformIndexHtml(pathname, raw), config)
  writeReply(
    res,
    { status: 200, headers: { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' }, body: html },
    req.method === 'HEAD',
  )
}

async function loopbackServer(
  node: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; origin: string }> {
  const server = createServer(node)
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
