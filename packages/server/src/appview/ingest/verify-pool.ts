/**
 * The sync kit's CommitVerifier on worker threads: commit proofs (signature + sync 1.1 inversion, the
 * larger half of ingest CPU) run beside the main thread, which meanwhile indexes earlier batches.
 *
 * Jobs wait here in stream order (by seq); workers take small batches from
 * the newest end, a few at a time, while the sync kit works from the oldest end: when it reaches a commit
 * whose job has not been posted it withdraws it and proves it inline. So the main thread and the workers
 * share the proofs without waiting for each other, whichever is faster taking the larger part, and nothing
 * is proved twice. Before each indexing transaction (which holds the main thread, so nothing is posted or
 * answered meanwhile) the ingester tops each worker up to what it can prove in that time (`reserve`).
 * Workers start with the pool (a service's boot), so a stream arriving later finds them loaded (`ready`);
 * a worker gets jobs once loaded. A worker that dies declines its jobs and is not replaced after repeated
 * deaths; the kit falls back to inline proofs. Workers load TypeScript through tsx when this file is
 * TypeScript.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { CID } from '@stratus/core/data'
import type { CommitMessage, CommitProof, CommitVerifier } from '@stratus/core/sync'
import { type ProofJob, type ResultBatch, packJobs, unpackResults } from './verify-wire.ts'

export interface VerifyPoolOptions {
  /** Worker threads (default: cores − 1, at least 1, at most 4; 0 = never, always inline). */
  workers?: number
  /**
   * Jobs posted to a worker and not answered yet (default 1024): enough work to keep it busy through a
   * whole indexing transaction, during which the main thread cannot post more.
   */
  inflight?: number
  onError?: (err: unknown) => void
}

type Resolve = (p: CommitProof | undefined) => void
interface Queued {
  job: ProofJob
  resolve: Resolve
  taken: boolean
}

const WORKER_URL = new URL(`./verify-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href
const BATCH = 32

function bootstrap(url: string): string {
  const load = `import(${JSON.stringify(url)})`
  if (!url.endsWith('.ts')) return load
  return `import('tsx/esm/api').then((api) => { api.register(); return ${load} })`
}

class PoolWorker {
  readonly worker: Worker
  readonly inflight = new Map<number, { jobs: ProofJob[]; resolves: Resolve[] }>()
  inflightJobs = 0
  /**
   * Loaded and listening (its first message). Until then it gets no jobs: loading takes seconds under tsx,
   * and jobs posted to it could not be withdrawn, so the main thread would wait for them.
   */
  ready = false
  /** Resolves when loaded or dead. */
  readonly loaded: Promise<void>
  settle!: () => void

  constructor(
    onBatch: (w: PoolWorker, b: ResultBatch | 'ready') => void,
    onDeath: (w: PoolWorker, err: unknown) => void,
  ) {
    this.loaded = new Promise((resolve) => {
      this.settle = resolve
    })
    this.worker = new Worker(bootstrap(WORKER_URL), { eval: true, execArgv: [] })
    this.worker.on('message', (b: ResultBatch | 'ready') => onBatch(this, b))
    this.worker.on('error', (err) => onDeath(this, err))
    this.worker.on('exit', (code) => onDeath(this, new Error(`verify worker exited with code ${code}`)))
    this.worker.unref()
  }
}

export class VerifyPool implements CommitVerifier {
  #workers: PoolWorker[] = []
  /** Jobs not posted yet, oldest first (from #head on; taken ones are skipped), and by commit. */
  #queue: Queued[] = []
  #head = 0
  readonly #byMsg = new Map<CommitMessage, Queued>()
  readonly #early = new WeakSet<CommitMessage>()
  /**
   * Jobs that came after a later commit's job, merged in by seq before workers take any. Jobs arrive once
   * their signing key is known, so an account whose key was being fetched has its commits come late; at the
   * newest end they would go to a worker first, and the kit, reaching them early, would wait for it.
   */
  #late: Queued[] = []
  #deaths = 0
  #nextId = 1
  #scheduled = false
  #closed = false
  /** Most batches in flight per worker. */
  readonly #inflight: number
  readonly #onError: (err: unknown) => void
  /** A worker's time per proof, ms (moving average of what workers report). */
  #jobMs = 0.25
  /** Jobs withdrawn by the kit (proved inline). */
  withdrawn = 0

  constructor(opts: VerifyPoolOptions = {}) {
    this.#inflight = Math.max(2, Math.ceil((opts.inflight ?? 1024) / BATCH))
    this.#onError = opts.onError ?? (() => {})
    const size = opts.workers ?? Math.max(1, Math.min(4, availableParallelism() - 1))
    for (let i = 0; i < size; i++) this.#spawn()
  }

  /** Resolves once every worker is loaded, has died or the pool is closed (benchmarks start timing here). */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.loaded))
  }

  get workers(): number {
    return this.#workers.length
  }

  prove(msg: CommitMessage, signingKey: string, prevData: CID): Promise<CommitProof | undefined> {
    if (this.#closed || this.#early.has(msg) || this.#workers.length === 0) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const q = { job: { msg, signingKey, prevData }, resolve, taken: false }
      const last = this.#queue.length > this.#head ? this.#queue[this.#queue.length - 1] : undefined
      if (last && msg.seq < last.job.msg.seq) this.#late.push(q)
      else this.#queue.push(q)
      this.#byMsg.set(msg, q)
      this.#schedule()
    })
  }

  withdraw(msg: CommitMessage): void {
    const q = this.#byMsg.get(msg)
    if (!q) {
      this.#early.add(msg) // asked before its job arrived (key lookup still running): decline it then
      return
    }
    this.#take(q)
    this.withdrawn++
    q.resolve(undefined)
  }

  #take(q: Queued): void {
    q.taken = true
    this.#byMsg.delete(q.job.msg)
    while (this.#head < this.#queue.length && this.#queue[this.#head].taken) this.#head++
    if (this.#head === this.#queue.length || this.#head > 4096) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
  }

  #merge(): void {
    const late = this.#late.filter((q) => !q.taken).sort((a, b) => a.job.msg.seq - b.job.msg.seq)
    this.#late = []
    const queue = this.#queue
    const out: Queued[] = []
    let i = this.#head
    let j = 0
    while (i < queue.length || j < late.length) {
      if (j === late.length || (i < queue.length && queue[i].job.msg.seq <= late[j].job.msg.seq)) {
        const q = queue[i++]
        if (!q.taken) out.push(q)
      } else out.push(late[j++])
    }
    this.#queue = out
    this.#head = 0
  }

  /** Up to `n` jobs from the newest end. */
  #newest(n: number): Queued[] {
    if (this.#late.length > 0) this.#merge()
    const out: Queued[] = []
    while (out.length < n && this.#queue.length > this.#head) {
      const q = this.#queue.pop() as Queued
      if (q.taken) continue
      this.#take(q)
      out.push(q)
    }
    return out.reverse()
  }

  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      for (const w of this.#workers) this.#post(w)
    })
  }

  /**
   * The main thread is about to be busy for about `ms` (an indexing transaction): no answers get through
   * and no jobs are posted meanwhile, so a worker holding less than that much work would run dry. Give
   * each worker what it can prove in that time beyond what it holds, from the newest jobs as usual but at
   * most half of those not posted, so the kit, coming from the oldest, does not reach them soon after.
   */
  reserve(ms: number): void {
    for (const w of this.#workers) {
      if (!w.ready) continue
      const n = Math.min(Math.ceil(ms / this.#jobMs) - w.inflightJobs, Math.floor(this.#byMsg.size / 2))
      if (n > 0) this.#send(w, this.#newest(n))
    }
  }

  /** Gives a worker the newest unposted jobs, up to its share. */
  #post(w: PoolWorker): void {
    if (!w.ready) return
    const room = (this.#inflight - w.inflight.size) * BATCH
    if (room <= 0 || this.#byMsg.size === 0) return
    this.#send(w, this.#newest(Math.min(room, Math.max(BATCH, this.#inflight * BATCH - w.inflightJobs))))
  }

  /**
   * Posts a stretch of jobs as batches oldest first: the kit, coming from older commits, reaches the start
   * of that stretch first, and the worker has done it first.
   */
  #send(w: PoolWorker, stretch: Queued[]): void {
    for (let i = 0; i < stretch.length; i += BATCH) {
      const part = stretch.slice(i, i + BATCH)
      const id = this.#nextId++
      const jobs = part.map((q) => q.job)
      const packed = packJobs(id, jobs)
      w.inflight.set(id, { jobs, resolves: part.map((q) => q.resolve) })
      w.inflightJobs += part.length
      w.worker.postMessage(packed, [packed.buf])
    }
  }

  #onBatch = (w: PoolWorker, b: ResultBatch | 'ready'): void => {
    if (b === 'ready') {
      w.ready = true
      w.settle()
      this.#post(w)
      return
    }
    const sent = w.inflight.get(b.id)
    if (!sent) return
    w.inflight.delete(b.id)
    w.inflightJobs -= sent.jobs.length
    if (b.ms !== undefined && sent.jobs.length > 0) this.#jobMs += 0.1 * (b.ms / sent.jobs.length - this.#jobMs)
    this.#deaths = 0
    const proofs = unpackResults(b, sent.jobs)
    for (let i = 0; i < proofs.length; i++) sent.resolves[i](proofs[i])
    if (w.inflight.size <= this.#inflight / 2) this.#post(w)
  }

  #onDeath = (w: PoolWorker, err: unknown): void => {
    w.settle()
    const i = this.#workers.indexOf(w)
    if (i < 0) return
    this.#workers.splice(i, 1)
    this.#decline(w)
    if (this.#workers.length === 0) this.#declineQueued()
    if (this.#closed) return
    this.#onError(err)
    void w.worker.terminate()
    if (++this.#deaths <= 3) this.#spawn()
  }

  #decline(w: PoolWorker): void {
    for (const s of w.inflight.values()) for (const r of s.resolves) r(undefined)
    w.inflight.clear()
    w.inflightJobs = 0
  }

  #declineQueued(): void {
    for (const q of this.#byMsg.values()) q.resolve(undefined)
    this.#byMsg.clear()
    this.#queue = []
    this.#late = []
    this.#head = 0
  }

  #spawn(): void {
    try {
      this.#workers.push(new PoolWorker(this.#onBatch, this.#onDeath))
    } catch (err) {
      this.#onError(err)
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    const ws = this.#workers
    this.#workers = []
    for (const w of ws) {
      this.#decline(w)
      w.settle()
    }
    this.#declineQueued()
    await Promise.all(ws.map((w) => w.worker.terminate()))
  }
}
