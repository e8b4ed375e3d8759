/**
 * WAL checkpoints off the indexing thread. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses the threshold, so the indexer would stop to copy WAL pages into the database file and fsync it
 * (about a third of commit time under load). Instead, while ingest is busy, a worker thread with its own
 * connection runs PASSIVE checkpoints (which never block the writer) a few times a second, and the writer's
 * own automatic checkpoint only stays as a backstop at a higher threshold, should the worker fall behind
 * or die. Durability is unchanged: a transaction is durable once its COMMIT wrote the WAL.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type BetterSqlite3 from 'better-sqlite3'

/** Writer's backstop while the worker runs (pages; SQLite's default is 1000). */
const BACKSTOP_PAGES = 16_384
const INTERVAL_MS = 100

// Plain CommonJS (no TypeScript loader needed); better-sqlite3 is passed as a resolved path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file, { timeout: 5000 })
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
}, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  try { db.close() } catch {}
  parentPort.close()
})
`

export class Checkpointer {
  #worker: Worker | undefined
  #closed = false

  constructor(readonly sqlite: BetterSqlite3.Database | undefined) {}

  /** Starts the worker (once): call when ingest is under real load. No-op for in-memory databases. */
  start(): void {
    const db = this.sqlite
    if (this.#worker || this.#closed || !db || db.memory || !db.open) return
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3')
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: { driver, file: db.name, intervalMs: INTERVAL_MS },
      })
      worker.unref()
      // A dead worker leaves the writer's own (backstop) checkpoints doing the work.
      worker.on('error', () => this.#restoreWriter())
      this.#worker = worker
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
    } catch {
      this.#restoreWriter()
    }
  }

  get running(): boolean {
    return this.#worker !== undefined
  }

  #restoreWriter(): void {
    this.#worker = undefined
    if (this.sqlite?.open) this.sqlite.pragma('wal_autocheckpoint = 1000')
  }

  async close(): Promise<void> {
    this.#closed = true
    const w = this.#worker
    if (!w) return
    this.#restoreWriter()
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
    w.postMessage('stop')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())])
    await w.terminate()
  }
}
