/**
 * Gives accepted events the relay's own sequence numbers and makes them durable in group commits: every
 * event accepted while the previous batch was being written forms the next batch, which is (1) appended
 * to the event log (and fsynced), then (2) committed to the database together with the account snapshots
 * and host cursors of the same cut, then (3) published to readers and live consumers. Nothing reaches a
 * consumer before it is durable, so a seq is never reused after a crash.
 *
 * Times are unix microseconds, strictly increasing with seq (the Jetstream cursor).
 * A failed write is retried (with the same batch) after a pause; events keep queuing meanwhile.
 */
import type { AccountRow, HostRow, RelayStore } from '../db/store.ts'
import type { FrameParts } from '../ingest/frame-parts.ts'
import { frameLengthWithSeq, writeWithSeq } from '../ingest/frame-parts.ts'
import type { EventLog } from '../log/event-log.ts'
import { type LogEntry, RECORD_HEADER_BYTES, encodeRecordsWith } from '../log/record.ts'

export interface OutEntry extends LogEntry {
  kind: string
  did: string
  /** The frame before its seq is spliced in; dropped once `frame` is written (into the log's records). */
  parts?: FrameParts
  /** Jetstream messages, computed on first use and shared by every Jetstream consumer. */
  json?: JsonMessage[]
}

export interface JsonMessage {
  did: string
  /** Commits only (the wantedCollections filter applies to commits). */
  collection?: string
  text: string
}

export interface SequencerDeps {
  log: EventLog
  store: RelayStore
  /** The last seq ever handed out (never reused, even if the log lost its tail). Default: the log's. */
  startSeq?: number
  takeAccounts: () => AccountRow[]
  settleAccounts: (rows: AccountRow[]) => void
  takeHosts: () => HostRow[]
  onPublish: (entries: OutEntry[]) => void
  onError: (err: unknown) => void
}

interface Batch {
  entries: OutEntry[]
  bytes: number
  accounts: AccountRow[]
  hosts: HostRow[]
}

const NO_FRAME = new Uint8Array(0)

/**
 * The log records of a batch, each frame assembled (seq spliced in) straight into the records buffer;
 * every entry's `frame` becomes a view into it, so a frame is copied once on its way to the log and the
 * live consumers.
 */
function encodeFrames(entries: OutEntry[]): Uint8Array {
  const records = encodeRecordsWith(
    entries,
    (e) => (e.parts ? frameLengthWithSeq(e.parts, e.seq) : e.frame.byteLength),
    (e, out, at) => {
      if (e.parts) writeWithSeq(e.parts, e.seq, out, at)
      else out.set(e.frame, at)
    },
  )
  let at = 0
  for (const e of entries) {
    const len = e.parts ? frameLengthWithSeq(e.parts, e.seq) : e.frame.byteLength
    at += RECORD_HEADER_BYTES
    e.frame = records.subarray(at, at + len)
    e.parts = undefined
    at += len
  }
  return records
}

export class Sequencer {
  private pending: OutEntry[] = []
  private pendingBytes = 0
  private retry: Batch | undefined
  private running = false
  private lastSeq: number
  private lastTimeUs: number
  private durable: number
  private waiters: (() => void)[] = []
  private stopped = false
  flushes = 0

  constructor(private readonly deps: SequencerDeps) {
    this.lastSeq = Math.max(deps.startSeq ?? 0, deps.log.appendedSeq)
    this.durable = this.lastSeq
    this.lastTimeUs = deps.log.lastTimeUs
  }

  /** Highest seq made durable and published. */
  get durableSeq(): number {
    return this.durable
  }

  /** Events accepted but not yet durable. */
  get backlog(): number {
    return this.pending.length + (this.retry?.entries.length ?? 0)
  }

  /** Bytes of the events accepted but not yet durable. */
  get backlogBytes(): number {
    return this.pendingBytes + (this.retry?.bytes ?? 0)
  }

  emit(parts: FrameParts, kind: string, did: string): OutEntry {
    const seq = ++this.lastSeq
    const now = Date.now() * 1000
    this.lastTimeUs = now > this.lastTimeUs ? now : this.lastTimeUs + 1
    const entry: OutEntry = { seq, timeUs: this.lastTimeUs, frame: NO_FRAME, parts, kind, did }
    this.pending.push(entry)
    this.pendingBytes += parts.prefix.byteLength + parts.suffix.byteLength
    this.kick()
    return entry
  }

  /** Persists state changes that produced no event (cursors, statuses) soon. */
  kick(): void {
    if (this.running || this.stopped) return
    this.running = true
    setImmediate(() => void this.run())
  }

  /** Resolves once everything emitted so far is durable. */
  flushed(): Promise<void> {
    if (!this.running && this.backlog === 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      this.kick()
    })
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        const batch = this.retry ?? this.cut()
        this.retry = undefined
        if (!batch) break
        try {
          await this.write(batch.entries, batch.accounts, batch.hosts)
        } catch (err) {
          this.deps.onError(err)
          this.retry = batch
          await new Promise((r) => setTimeout(r, 1000))
        }
      }
    } finally {
      this.running = false
      if (this.backlog === 0) for (const w of this.waiters.splice(0)) w()
      else if (!this.stopped) this.kick()
    }
  }

  private cut(): Batch | undefined {
    const entries = this.pending
    const bytes = this.pendingBytes
    const accounts = this.deps.takeAccounts()
    const hosts = this.deps.takeHosts()
    if (entries.length === 0 && accounts.length === 0 && hosts.length === 0) return undefined
    this.pending = []
    this.pendingBytes = 0
    return { entries, bytes, accounts, hosts }
  }

  private async write(entries: OutEntry[], accounts: AccountRow[], hosts: HostRow[]): Promise<void> {
    const log = this.deps.log
    // After a failed database commit the log may already hold part of the batch.
    const unwritten = entries.filter((e) => e.seq > log.appendedSeq)
    if (unwritten.length > 0) await log.appendEncoded(encodeFrames(unwritten), unwritten)
    const last = entries.length > 0 ? entries[entries.length - 1].seq : this.durable
    await this.deps.store.commitBatch({ accounts, hosts, logSeq: last })
    this.deps.settleAccounts(accounts)
    this.durable = last
    this.flushes++
    log.publish(last)
    if (entries.length > 0) this.deps.onPublish(entries)
  }

  /** Writes what is pending, then stops accepting flush work. */
  async close(): Promise<void> {
    await this.flushed()
    this.stopped = true
  }
}
