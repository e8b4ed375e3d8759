/**
 * Runs verification jobs (verify-job.ts) on a pool of worker threads, or inline when the pool size is 0.
 * Signature checks and MST inversion dominate a relay's CPU time; spreading them over cores is what lets
 * the main thread keep up with networking, state and fan-out.
 *
 * Jobs are queued per worker (the least loaded one) and posted in batches once per event-loop turn, each
 * batch as one transferred buffer (worker-protocol.ts). Results may come back in any order across workers;
 * the caller restores per-host (hence per-account) order (pipeline.ts). A worker that dies fails its jobs
 * with code 'internal' and is replaced; if workers cannot start at all the pool falls back to inline.
 *
 * Workers load TypeScript through tsx (the way every Stratus service runs) when this file is TypeScript.
 */
import { Worker } from 'node:worker_threads'
import {
  type RepoJob,
  type RepoResult,
  type VerifyJob,
  type VerifyResult,
  runRepoJob,
  runVerifyJob,
} from './verify-job.ts'
import { type FromWorker, type RepoRequest, type ResultBatch, packJobs, unpackResults } from './worker-protocol.ts'

export type VerifyCallback = (result: VerifyResult) => void

export interface VerifyPoolOptions {
  /** Worker threads; 0 verifies inline on the calling thread. */
  workers: number
  /** Most jobs per posted batch. Default 128. */
  batchSize?: number
  /**
   * Let the calling thread verify too when the workers are backed up (it takes a job when its own queue
   * is less than half the least-loaded worker's). Default true: on a 2-core machine one worker plus the
   * main thread's spare time uses both cores without oversubscribing them.
   */
  assist?: boolean
  onError?: (err: unknown) => void
}

interface Queued {
  job: VerifyJob
  cb: VerifyCallback
}

const WORKER_URL = new URL('./verify-worker.ts', import.meta.url).href
const INLINE_SLICE_MS = 8

function bootstrapCode(url: string): string {
  const load = `import(${JSON.stringify(url)})`
  if (!url.endsWith('.ts')) return load
  return `import('tsx/esm/api').then((api) => { api.register(); return ${load} })`
}

class PoolWorker {
  readonly worker: Worker
  pending: Queued[] = []
  readonly inflight = new Map<number, Queued[]>()
  readonly repos = new Map<number, (r: RepoResult) => void>()
  inflightJobs = 0
  succeeded = false

  constructor(onResults: (w: PoolWorker, batch: ResultBatch) => void, onDeath: (w: PoolWorker, err: unknown) => void) {
    this.worker = new Worker(bootstrapCode(WORKER_URL), { eval: true, execArgv: [] })
    this.worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'events') return onResults(this, msg)
      const cb = this.repos.get(msg.id)
      this.repos.delete(msg.id)
      cb?.(msg.result)
    })
    this.worker.on('error', (err) => onDeath(this, err))
    this.worker.on('exit', (code) => onDeath(this, new Error(`verify worker exited with code ${code}`)))
    this.worker.unref()
  }

  get load(): number {
    return this.pending.length + this.inflightJobs + this.repos.size * 100
  }
}

export class VerifyPool {
  private workers: PoolWorker[] = []
  private inline: Queued[] = []
  private scheduled = false
  private nextBatch = 1
  private closed = false
  private deaths = 0
  private readonly batchSize: number
  private readonly assist: boolean
  private readonly onError: (err: unknown) => void
  /** Jobs the calling thread verified itself (inline mode or assisting). */
  inlineJobs = 0

  constructor(opts: VerifyPoolOptions) {
    this.batchSize = opts.batchSize ?? 128
    this.assist = opts.assist ?? true
    this.onError = opts.onError ?? (() => {})
    for (let i = 0; i < opts.workers; i++) this.spawn()
  }

  get size(): number {
    return this.workers.length
  }

  /** Each worker's event-loop utilisation (0..1) since it started: how busy verification keeps it. */
  utilization(): number[] {
    return this.workers.map((w) => w.worker.performance.eventLoopUtilization().utilization)
  }

  /** Jobs accepted and not yet answered. */
  get backlog(): number {
    return this.inline.length + this.workers.reduce((n, w) => n + w.load, 0)
  }

  verify(job: VerifyJob, cb: VerifyCallback): void {
    if (this.closed) {
      cb({ ok: false, code: 'internal', message: 'verify pool closed' })
      return
    }
    if (this.workers.length === 0) this.inline.push({ job, cb })
    else {
      let best = this.workers[0]
      for (const w of this.workers) if (w.load < best.load) best = w
      if (this.assist && this.inline.length * 2 < best.load - this.batchSize) this.inline.push({ job, cb })
      else best.pending.push({ job, cb })
    }
    this.schedule()
  }

  /** Verifies a whole repository (resync) off the main thread; the CAR's buffer is transferred when possible. */
  verifyRepo(job: RepoJob): Promise<RepoResult> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'internal', message: 'verify pool closed' })
    if (this.workers.length === 0) return Promise.resolve(runRepoJob(job))
    let best = this.workers[0]
    for (const w of this.workers) if (w.load < best.load) best = w
    const id = this.nextBatch++
    const car = job.car.byteOffset === 0 && job.car.byteLength === job.car.buffer.byteLength ? job.car : job.car.slice()
    const msg: RepoRequest = { type: 'repo', id, did: job.did, signingKey: job.signingKey, car }
    return new Promise((resolve) => {
      best.repos.set(id, resolve)
      best.worker.postMessage(msg, [car.buffer as ArrayBuffer])
    })
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.flush()
    })
  }

  private flush(): void {
    for (const w of this.workers) {
      while (w.pending.length > 0) {
        const batch = w.pending.splice(0, this.batchSize)
        const id = this.nextBatch++
        const packed = packJobs(
          id,
          batch.map((q) => q.job),
        )
        w.inflight.set(id, batch)
        w.inflightJobs += batch.length
        w.worker.postMessage(packed, [packed.buf])
      }
    }
    this.runInline()
  }

  /** Inline mode: verifies for a bounded slice of time per turn so I/O keeps flowing. */
  private runInline(): void {
    const end = performance.now() + INLINE_SLICE_MS
    while (this.inline.length > 0 && performance.now() < end) {
      const { job, cb } = this.inline.shift() as Queued
      this.inlineJobs++
      cb(runVerifyJob(job))
    }
    if (this.inline.length > 0) this.schedule()
  }

  private onResults = (w: PoolWorker, batch: ResultBatch): void => {
    const sent = w.inflight.get(batch.id)
    if (!sent) return
    w.inflight.delete(batch.id)
    w.inflightJobs -= sent.length
    w.succeeded = true
    this.deaths = 0
    const results = unpackResults(
      batch,
      sent.map((q) => q.job.frame),
    )
    for (let i = 0; i < sent.length; i++) sent[i].cb(results[i])
  }

  private onDeath = (w: PoolWorker, err: unknown): void => {
    const idx = this.workers.indexOf(w)
    if (idx < 0) return
    this.workers.splice(idx, 1)
    if (this.closed) return
    this.onError(err)
    void w.worker.terminate()
    for (const sent of w.inflight.values())
      for (const q of sent) q.cb({ ok: false, code: 'internal', message: String(err) })
    for (const cb of w.repos.values()) cb({ ok: false, code: 'internal', message: String(err) })
    // Queued but never posted: hand to the others (or inline).
    const orphans = w.pending
    this.deaths++
    if (this.deaths <= 3 || w.succeeded) this.spawn()
    for (const q of orphans) this.verify(q.job, q.cb)
  }

  private spawn(): void {
    this.workers.push(new PoolWorker(this.onResults, this.onDeath))
  }

  async close(): Promise<void> {
    this.closed = true
    const ws = this.workers
    this.workers = []
    for (const w of ws) {
      for (const sent of w.inflight.values())
        for (const q of sent) q.cb({ ok: false, code: 'internal', message: 'closed' })
      for (const q of w.pending) q.cb({ ok: false, code: 'internal', message: 'closed' })
      for (const cb of w.repos.values()) cb({ ok: false, code: 'internal', message: 'closed' })
    }
    for (const q of this.inline.splice(0)) q.cb({ ok: false, code: 'internal', message: 'closed' })
    await Promise.all(ws.map((w) => w.worker.terminate()))
  }
}
