/**
 * Group commit: repo writes that arrive together share one SQLite transaction. Each write still runs on
 * its own, in arrival order, in a savepoint of the shared transaction — its own commit (CID, rev, signature)
 * and firehose event, and a failure undoes only that write — but the COMMIT (writing the WAL, the pages
 * every write touches: the event log's tail, the block table's tail, repo roots) is paid once per group.
 * Every caller is answered only after the shared COMMIT returned, so an acknowledged write is as durable as
 * before. The first write of an event-loop turn runs at once, in its own transaction (a lone writer never
 * waits); the writes that follow it in the same turn — requests read together — wait for the end of the
 * turn and form the group.
 */
import type { PdsDatabase } from '../db/index.ts'

/** Most writes in one group (each may be an applyWrites batch of up to 200 ops). */
const MAX_GROUP = 32

interface Job {
  fn: () => unknown
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

export class GroupCommit {
  private queue: Job[] = []
  private scheduled = false
  /** A write already ran at once in this event-loop turn. */
  private turnOpen = false
  private readonly closeTurn = () => {
    this.turnOpen = false
  }

  constructor(private readonly db: PdsDatabase) {}

  /**
   * Runs `fn` (synchronous database work) now — returning its result, or throwing, once its transaction
   * committed — or, when a write already ran in this turn, in the turn's group: a promise then.
   */
  run<T>(fn: () => T): T | Promise<T> {
    if (!this.turnOpen && this.queue.length === 0) {
      this.turnOpen = true
      setImmediate(this.closeTurn)
      return fn() // processWrites opens its own transaction
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    const jobs = this.queue.length > MAX_GROUP ? this.queue.splice(0, MAX_GROUP) : this.queue
    if (jobs === this.queue) this.queue = []
    if (this.queue.length > 0) setImmediate(() => this.flush())
    else this.scheduled = false
    if (jobs.length === 1) {
      // Alone: processWrites' own transaction.
      const job = jobs[0]
      let value: unknown
      try {
        value = job.fn()
      } catch (err) {
        job.reject(err)
        return
      }
      job.resolve(value)
      return
    }
    const results: { ok: boolean; value: unknown }[] = []
    try {
      this.db.transact(() => {
        for (const job of jobs) {
          // No savepoint of its own: processWrites' transaction becomes one (a savepoint makes SQLite copy
          // every page it changes to a statement journal first), and nothing before it writes.
          try {
            results.push({ ok: true, value: job.fn() })
          } catch (err) {
            results.push({ ok: false, value: err })
          }
        }
      })
    } catch (err) {
      // The COMMIT itself failed: none of the group is durable.
      for (const job of jobs) job.reject(err)
      return
    }
    for (const [i, job] of jobs.entries()) {
      const r = results[i]
      if (r.ok) job.resolve(r.value)
      else job.reject(r.value)
    }
  }
}
