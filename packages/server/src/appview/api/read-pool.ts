/**
 * Reader threads: the read-only XRPC queries (READER_METHODS in api/index.ts) run on worker threads, each
 * with its own read-only connection (SQLite in WAL mode lets them read while the main thread's indexer
 * writes; on PostgreSQL each has a small pool). The main thread keeps HTTP, auth, ingestion and the
 * methods that write or call out; it sends a reader the method, its validated params and the viewer's DID,
 * and gets the JSON answer back as bytes (transferred, not copied).
 *
 * A request goes to the reader with the fewest in flight. Until a reader has started (loading the code
 * takes a moment) `run` returns undefined and the caller answers on the main thread, so an AppView serves
 * from its first second. A reader that dies fails its requests (500) and is replaced.
 *
 * Readers see every write the main thread has committed before the request was sent, so a client reads its
 * own mutes and seen-markers; a request that spans several statements may see indexing progress between
 * them, as it would on the main thread.
 */
import { Worker } from 'node:worker_threads'
import { XRPCError } from '@stratus/core/xrpc'
import type { HandlerOutput } from '../../http/index.ts'

export interface ReadRequest {
  nsid: string
  params: Record<string, unknown>
  viewer: string | undefined
}

export interface ReaderData {
  dbUrl: string
  /** Base of image URLs in views (see views/context.ts blobUrls). */
  cdnUrl: string
}

export type ToReader = ReadRequest & { id: number }
export type FromReader =
  | { type: 'ready' }
  | { type: 'ok'; id: number; body: Uint8Array }
  | { type: 'error'; id: number; status: number; error: string; message: string; headers: Record<string, string> }
  | { type: 'crash'; id: number; message: string }

const WORKER_URL = new URL('./read-worker.ts', import.meta.url).href
const MAX_RESPAWNS = 3

/** Workers load TypeScript through tsx when this file is TypeScript (the way every Stratus service runs). */
function bootstrapCode(url: string): string {
  const load = `import(${JSON.stringify(url)})`
  if (!url.endsWith('.ts')) return load
  return `import('tsx/esm/api').then((api) => { api.register(); return ${load} })`
}

interface Pending {
  resolve(r: HandlerOutput): void
  reject(err: unknown): void
}

class Reader {
  readonly worker: Worker
  ready = false
  readonly inflight = new Map<number, Pending>()

  constructor(
    data: ReaderData,
    onMessage: (r: Reader, m: FromReader) => void,
    onExit: (r: Reader, e: unknown) => void,
  ) {
    this.worker = new Worker(bootstrapCode(WORKER_URL), { eval: true, execArgv: [], workerData: data })
    this.worker.on('message', (m: FromReader) => onMessage(this, m))
    this.worker.on('error', (err) => onExit(this, err))
    this.worker.on('exit', (code) => onExit(this, new Error(`reader thread exited with code ${code}`)))
  }
}

export class ReadPool {
  #readers: Reader[] = []
  #next = 1
  #closed = false
  #respawns = 0
  /** Requests answered by reader threads. */
  served = 0

  #data: ReaderData | undefined

  constructor(
    readonly size: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Starts the threads (once the database is migrated and image URLs are known). */
  start(data: ReaderData): void {
    this.#data = data
    for (let i = 0; i < this.size; i++) this.#spawn()
  }

  /** Readers that have started. */
  get ready(): number {
    return this.#readers.filter((r) => r.ready).length
  }

  /** The answer from a reader thread, or undefined when none is ready (run it yourself). */
  run(req: ReadRequest): Promise<HandlerOutput> | undefined {
    let best: Reader | undefined
    for (const r of this.#readers) if (r.ready && (!best || r.inflight.size < best.inflight.size)) best = r
    if (!best) return undefined
    const reader = best
    const id = this.#next++
    const msg: ToReader = { id, nsid: req.nsid, params: req.params, viewer: req.viewer }
    return new Promise((resolve, reject) => {
      reader.inflight.set(id, { resolve, reject })
      reader.worker.postMessage(msg)
    })
  }

  #onMessage = (r: Reader, m: FromReader): void => {
    if (m.type === 'ready') {
      r.ready = true
      return
    }
    const p = r.inflight.get(m.id)
    if (!p) return
    r.inflight.delete(m.id)
    this.served++
    if (m.type === 'ok') p.resolve({ encoding: 'application/json', body: m.body })
    else if (m.type === 'error') p.reject(new XRPCError(m.status, m.error, m.message, { headers: m.headers }))
    else p.reject(new Error(`reader thread failed: ${m.message}`))
  }

  #onExit = (r: Reader, err: unknown): void => {
    const i = this.#readers.indexOf(r)
    if (i < 0) return
    this.#readers.splice(i, 1)
    for (const p of r.inflight.values()) p.reject(new Error('reader thread died', { cause: err }))
    r.inflight.clear()
    if (this.#closed) return
    this.onError(err)
    void r.worker.terminate()
    if (r.ready || this.#respawns++ < MAX_RESPAWNS) this.#spawn()
  }

  #spawn(): void {
    if (this.#data) this.#readers.push(new Reader(this.#data, this.#onMessage, this.#onExit))
  }

  async close(): Promise<void> {
    this.#closed = true
    const readers = this.#readers
    this.#readers = []
    for (const r of readers) for (const p of r.inflight.values()) p.reject(new Error('reader pool closed'))
    await Promise.all(readers.map((r) => r.worker.terminate()))
  }
}
