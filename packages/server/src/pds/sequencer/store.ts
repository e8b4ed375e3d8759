/**
 * The event log table (`repo_event`, migration 004-sequencer), synchronous on the shared database.
 *
 * seq numbers: the next seq is max(seq) + 1, read inside the caller's write transaction (BEGIN IMMEDIATE
 * holds SQLite's write lock, so two writers — even in two processes — never pick the same number and
 * rows commit in seq order). Pruning never deletes the newest row, so a seq is never handed out twice.
 */
import type { PdsDatabase } from '../db/index.ts'
import type { EventType } from './events.ts'

export interface StoredEvent {
  seq: number
  /** The complete frame. */
  payload: Uint8Array
}

export class EventStore {
  constructor(private readonly db: PdsDatabase) {}

  /** The newest seq, 0 when no event was ever sequenced. */
  maxSeq(): number {
    const row = this.db.stmt('SELECT max(seq) AS seq FROM repo_event').get() as { seq: number | null }
    return row.seq ?? 0
  }

  /** The oldest seq still stored, or null when the log is empty. */
  minSeq(): number | null {
    const row = this.db.stmt('SELECT min(seq) AS seq FROM repo_event').get() as { seq: number | null }
    return row.seq
  }

  /**
   * Inserts one event whose frame depends on its seq. Must run inside a write transaction (the caller's),
   * so the seq read and the insert are atomic.
   */
  append(did: string, type: EventType, createdAt: string, build: (seq: number) => Uint8Array): number {
    if (!this.db.sqlite.inTransaction) throw new Error('events must be sequenced inside a write transaction')
    const seq = this.maxSeq() + 1
    const payload = build(seq)
    this.db
      .stmt('INSERT INTO repo_event (seq, did, type, payload, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(seq, did, type, payload, createdAt)
    return seq
  }

  /** Up to `limit` events with seq > `after`, in seq order. */
  after(after: number, limit: number): StoredEvent[] {
    return this.db
      .stmt('SELECT seq, payload FROM repo_event WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(after, limit) as StoredEvent[]
  }

  /** The first seq created at or after `time` (ISO), or null. */
  firstSeqSince(time: string): number | null {
    const row = this.db.stmt('SELECT min(seq) AS seq FROM repo_event WHERE created_at >= ?').get(time) as {
      seq: number | null
    }
    return row.seq
  }

  /** Deletes up to `limit` events created before `time`, never the newest row. Returns the number deleted. */
  pruneBefore(time: string, limit: number): number {
    const res = this.db
      .stmt(
        `DELETE FROM repo_event WHERE seq IN (
           SELECT seq FROM repo_event WHERE created_at < ? AND seq < (SELECT max(seq) FROM repo_event)
           ORDER BY seq LIMIT ?)`,
      )
      .run(time, limit)
    return res.changes
  }
}
