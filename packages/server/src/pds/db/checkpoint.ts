/**
 * WAL checkpoints for the PDS database with the bulk of the copying off the main thread. A worker thread
 * with its own connection runs a PASSIVE checkpoint (PASSIVE never blocks writers); when it is done, the
 * main thread checkpoints the frames committed meanwhile, between two requests. Only a checkpoint that
 * leaves no frame behind lets the next write restart the WAL from its beginning (a worker alone never got
 * there under load: the WAL kept growing into new file space). The tail still waits for its two fsyncs, but
 * copies a fraction of the pages. Per createRecord (1 writer, loaded machine), main thread blocked by
 * checkpoints / their CPU: all on the main thread every 100 writes ~125 / ~40 µs, every 300 ~100 / ~25 µs,
 * this every 300 ~40 / ~14 µs (stalls ~10 ms instead of ~27). Until the worker is up, or if it dies, the
 * main thread does it all.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'

// Plain CommonJS (no TypeScript loader in the worker); better-sqlite3 is passed as a resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const db = new (require(workerData.driver))(workerData.file, { timeout: 5000 })
parentPort.on('message', (m) => {
  if (m === 'stop') {
    db.close()
    parentPort.close()
    return
  }
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
  parentPort.postMessage('done')
})
`

export class WalCheckpointer {
  #worker: Worker | undefined
  /** A checkpoint is under way (requests meanwhile are dropped). */
  #busy = false
  #closed = false
  /** The worker could not start or died: the main thread does it all from then on. */
  #noWorker = false
  #online = false

  constructor(readonly sqlite: BetterSqlite3.Database) {}

  /** Starts a checkpoint unless one is under way; returns at once. */
  request(): void {
    if (this.#busy || this.#closed) return
    this.#busy = true
    // Until the worker is up (it takes tens of milliseconds to start), the main thread does it all.
    if (this.#online) this.#worker?.postMessage('checkpoint')
    else {
      if (!this.#worker && !this.#noWorker) this.#start()
      setImmediate(this.#finish)
    }
  }

  /** The main thread's part: everything the worker left (or all of it without a worker). */
  readonly #finish = (): void => {
    this.#busy = false
    const db = this.sqlite
    if (db.open && !db.inTransaction) db.pragma('wal_checkpoint(PASSIVE)')
  }

  #start(): void {
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3')
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: { driver, file: this.sqlite.name },
      })
      worker.unref()
      worker.once('online', () => {
        this.#online = true
      })
      worker.on('message', () => setImmediate(this.#finish))
      // A dead worker leaves the main thread doing the whole checkpoint.
      worker.on('error', () => {
        this.#worker = undefined
        this.#online = false
        this.#noWorker = true
        if (this.#busy) setImmediate(this.#finish)
      })
      this.#worker = worker
    } catch {
      this.#noWorker = true
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    const w = this.#worker
    if (!w) return
    this.#worker = undefined
    this.#online = false
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
    w.postMessage('stop')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())])
    await w.terminate()
  }
}
