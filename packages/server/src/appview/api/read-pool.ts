/**
 * Reader threads: the read-only XRPC queries (READER_METHODS in api/index.ts) run on worker threads, each
 * with its own read-only connection (SQLite in WAL mode lets them read while the main thread's indexer
 * writes; on PostgreSQL each has a small pool). The main thread keeps HTTP, auth, ingestion and the
 * methods that write or call out; it sends a reader the method, its validated params and the viewer's DID,
 * and gets the JSON answer back as a string.
 *
 * Requests wait in one queue here, and a reader is handed the next one when it has room (perReader): no
 * request waits behind a slow one (a long answer, a GC pause, a thread the OS has parked) while another
 * reader could take it, as they would if each request went to a reader's own queue on arrival. When
 * nothing else is in flight the pool answers a request on the main thread instead, with the same code over
 * its own read-only connection (read-worker.ts), because handing a lone request to a thread and back costs
 * more than the thread saves (two wake-ups). A request answered there counts as in flight until the event
 * loop turns, so requests arriving together still go to the readers. Until a reader has started (loading
 * the code takes a moment) `run` returns undefined and the caller answers on the main thread, so an AppView
 * serves from its first second. A reader that dies fails its requests (500) and is replaced.
 *
 * Readers see every write the main thread has committed before the request was sent, so a client reads its
 * own mutes and seen-markers; a request that spans several statements may see indexing progress between
 * them, as it would on the main thread.
 */
import { Worker } from 'node:worker_threads'
import { XRPCError } from '@stratus/core/xrpc'
import type { HandlerOutput } from '../../http/index.ts'
import { type ReaderAnswers, readerAnswers } from './read-worker.ts'

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
  /** The JSON answer: text from a reader thread (see read-worker.ts), as the handler made it here. */
  | { type: 'ok'; id: number; body: string; headers?: Record<string, string> }
  | { type: 'error'; id: number; status: number; error: string; message: string; headers: Record<string, string> }
  | { type: 'crash'; id: number; message: string }

const WORKER_URL = new URL('./read-worker.ts', import.meta.url).href
const MAX_RESPAWNS = 3

/**
 * Requests a reader holds at once. On SQLite a reader answers one at a time: the one it answers and the
 * next, so it never waits for this thread between two (with only one it did, twice the wake-ups). On
 * PostgreSQL its requests overlap their round trips over its connections (4): with 2 it mostly waited.
 */
function perReader(dbUrl: string): number {
  return dbUrl.startsWith('sqlite:') ? 2 : 8
}

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

interface Queued extends Pending {
  msg: ToReader
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
    const workerData = { ...data, readerThread: true }
    this.worker = new Worker(bootstrapCode(WORKER_URL), { eval: true, execArgv: [], workerData })
    this.worker.on('message', (m: FromReader) => onMessage(this, m))
    this.worker.on('error', (err) => onExit(this, err))
    this.worker.on('exit', (code) => onExit(this, new Error(`reader thread exited with code ${code}`)))
  }
}

export class ReadPool {
  #readers: Reader[] = []
  /** Requests no reader has taken yet, oldest first. */
  #queue: Queued[] = []
  #next = 1
  #closed = false
  #respawns = 0
  /** Requests answered by reader threads. */
  served = 0
  /** Requests answered on the main thread because nothing else was in flight. */
  inline = 0
  #main: ReaderAnswers | undefined
  /** Requests answered on the main thread, until the event loop has turned after each. */
  #mainBusy = 0

  #data: ReaderData | undefined
  #perReader = 2

  constructor(
    readonly size: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Starts the threads (once the database is migrated and image URLs are known). */
  start(data: ReaderData): void {
    this.#data = data
    this.#perReader = perReader(data.dbUrl)
    // a lone request needs one connection; two let a request's concurrent statements overlap (PostgreSQL)
    this.#main = readerAnswers(data, { poolSize: 2 })
    for (let i = 0; i < this.size; i++) this.#spawn()
  }

  /** Readers that have started. */
  get ready(): number {
    return this.#readers.filter((r) => r.ready).length
  }

  /** Requests waiting for a reader with room. */
  get queued(): number {
    return this.#queue.length
  }

  /** The answer (from a reader, or this thread when idle), or undefined when no reader is ready (run it yourself). */
  run(req: ReadRequest): Promise<HandlerOutput> | undefined {
    let ready = false
    let inflight = this.#mainBusy + this.#queue.length
    for (const r of this.#readers) {
      inflight += r.inflight.size
      ready ||= r.ready
    }
    if (!ready) return undefined
    if (inflight === 0 && this.#main) return this.#runHere(this.#main, req)
    const msg: ToReader = { id: this.#next++, nsid: req.nsid, params: req.params, viewer: req.viewer }
    return new Promise((resolve, reject) => {
      this.#queue.push({ msg, resolve, reject })
      this.#dispatch()
    })
  }

  /** Hands queued requests, oldest first, to the ready readers with room (the least busy first). */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      let best: Reader | undefined
      for (const r of this.#readers)
        if (r.ready && r.inflight.size < this.#perReader && (!best || r.inflight.size < best.inflight.size)) best = r
      if (!best) return
      const q = this.#queue.shift() as Queued
      best.inflight.set(q.msg.id, q)
      best.worker.postMessage(q.msg)
    }
  }

  async #runHere(main: ReaderAnswers, req: ReadRequest): Promise<HandlerOutput> {
    this.#mainBusy++
    this.inline++
    try {
      return settle(await main.answer({ id: 0, nsid: req.nsid, params: req.params, viewer: req.viewer }))
    } finally {
      setImmediate(() => this.#mainBusy--)
    }
  }

  #onMessage = (r: Reader, m: FromReader): void => {
    if (m.type === 'ready') {
      r.ready = true
      this.#dispatch()
      return
    }
    const p = r.inflight.get(m.id)
    if (!p) return
    r.inflight.delete(m.id)
    this.#dispatch()
    this.served++
    try {
      p.resolve(settle(m))
    } catch (err) {
      p.reject(err)
    }
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
    else if (this.#readers.length === 0) this.#failQueued(new Error('no reader thread', { cause: err }))
  }

  #failQueued(err: Error): void {
    const queued = this.#queue
    this.#queue = []
    for (const q of queued) q.reject(err)
  }

  #spawn(): void {
    if (this.#data) this.#readers.push(new Reader(this.#data, this.#onMessage, this.#onExit))
  }

  async close(): Promise<void> {
    this.#closed = true
    const readers = this.#readers
    this.#readers = []
    for (const r of readers) for (const p of r.inflight.values()) p.reject(new Error('reader pool closed'))
    this.#failQueued(new Error('reader pool closed'))
    await Promise.all(readers.map((r) => r.worker.terminate()))
    await this.#main?.close()
    this.#main = undefined
  }
}

/** A reader's answer as the handler's output, or the error it throws. */
function settle(m: FromReader): HandlerOutput {
  if (m.type === 'ok') return { encoding: 'application/json', body: m.body, headers: m.headers }
  if (m.type === 'error') throw new XRPCError(m.status, m.error, m.message, { headers: m.headers })
  throw new Error(`reader failed: ${m.type === 'crash' ? m.message : m.type}`)
}
