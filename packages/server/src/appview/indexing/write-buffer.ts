/**
 * Inserts held back during a batch and sent as multi-row statements (the indexer: on PostgreSQL every
 * statement is a round trip, on SQLite each has a fixed cost). Any other statement on the batch's context
 * first sends them (StatementCtx.pending), so reads and deletes always see every earlier write. They go
 * statement by statement, in the order each statement was first added (an insert that reads another's
 * row, like SQLite's full-text row, is added after it); otherwise order does not matter: they only add rows
 * (duplicates are skipped by their own ON CONFLICT clauses).
 */
import type { Prepared, StatementCtx } from '../db/prepared.ts'

export class WriteBuffer {
  #rows = new Map<Prepared<unknown>, unknown[][]>()
  size = 0

  constructor(readonly ctx: StatementCtx) {}

  add(stmt: Prepared<unknown>, args: unknown[]): void {
    let rows = this.#rows.get(stmt)
    if (!rows) this.#rows.set(stmt, (rows = []))
    rows.push(args)
    this.size++
  }

  async flush(): Promise<void> {
    if (this.size === 0) return
    const all = this.#rows
    this.#rows = new Map()
    this.size = 0
    for (const [stmt, rows] of all) await stmt.runMany(this.ctx, rows)
  }
}
