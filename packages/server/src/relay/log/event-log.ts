/**
 * The relay's outgoing event log: every accepted event, as the exact frame consumers receive, in relay seq
 * order, kept on disk for the retention window so consumers can replay from a cursor.
 *
 * Why append-only segment files rather than a SQLite table: at 10k events/s of ~3 KB frames the log takes
 * ~30 MB/s; appending one buffer per batch to a file is a single write syscall with no B-tree, WAL or
 * page churn, and retention is dropping whole files instead of DELETE + vacuum of millions of rows. Replay
 * is a sequential read. Crash safety comes from the record checksums (a torn tail is cut on open) and from
 * the relay's ordering: records are written (and fsynced) before the database records the new head, and on
 * start the log is truncated back to the head the database knows (see app.ts).
 *
 * Readers only ever see records up to the published head (`publish`), i.e. records whose batch is durable.
 * Appends must not run concurrently with each other (the sequencer serialises them).
 */
import { mkdir, readdir } from 'node:fs/promises'
import { type LogEntry, encodeRecords } from './record.ts'
import { Segment, parseSegmentFileName } from './segment.ts'

const EMPTY = new Uint8Array(0)

export interface EventLogOptions {
  dir: string
  /** Start a new segment file past this size. Default 256 MiB. */
  segmentBytes?: number
  /** fdatasync after each append. Default true. */
  fsync?: boolean
}

export class EventLog {
  private segments: Segment[] = []
  private dir = ''
  private visible = 0
  private readonly segmentBytes: number
  private readonly fsync: boolean

  private constructor(opts: EventLogOptions) {
    this.segmentBytes = opts.segmentBytes ?? 256 * 1024 * 1024
    this.fsync = opts.fsync ?? true
  }

  static async open(opts: EventLogOptions): Promise<EventLog> {
    const log = new EventLog(opts)
    await mkdir(opts.dir, { recursive: true })
    const firsts = (await readdir(opts.dir))
      .map(parseSegmentFileName)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b)
    for (let i = 0; i < firsts.length; i++) {
      const seg = await Segment.open(opts.dir, firsts[i], { writable: i === firsts.length - 1 })
      if (seg.empty && i < firsts.length - 1) await seg.remove()
      else log.segments.push(seg)
    }
    log.dir = opts.dir
    log.visible = log.appendedSeq
    return log
  }

  /** Highest seq written to disk (visible or not). 0 for an empty log. */
  get appendedSeq(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) if (!this.segments[i].empty) return this.segments[i].lastSeq
    return 0
  }

  /** Highest seq readers may see. */
  get lastSeq(): number {
    return this.visible
  }

  /** Lowest seq still stored, or undefined when the log is empty. */
  get oldestSeq(): number | undefined {
    const first = this.segments.find((s) => !s.empty)
    return first ? (first.index[0]?.seq ?? first.firstSeq) : undefined
  }

  get lastTimeUs(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) if (!this.segments[i].empty) return this.segments[i].lastTimeUs
    return 0
  }

  /** Writes entries (seq strictly increasing, continuing the log) and syncs them; readers do not see them yet. */
  append(entries: readonly LogEntry[]): Promise<void> {
    return this.appendEncoded(entries.length > 0 ? encodeRecords(entries) : EMPTY, entries)
  }

  /** Like append, with the records already encoded (`records` = encodeRecords(entries)). */
  async appendEncoded(records: Uint8Array, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return
    if (entries[0].seq <= this.appendedSeq) throw new Error(`log append out of order: ${entries[0].seq}`)
    let seg = this.segments[this.segments.length - 1]
    if (!seg || seg.size >= this.segmentBytes) {
      if (seg) await seg.seal()
      seg = await Segment.create(this.dir, entries[0].seq)
      this.segments.push(seg)
    }
    await seg.append(records, entries)
    if (this.fsync) await seg.sync()
  }

  /** Makes everything up to `seq` visible to readers. */
  publish(seq: number): void {
    if (seq > this.visible) this.visible = seq
  }

  private segmentFor(seq: number): number {
    let lo = 0
    let hi = this.segments.length - 1
    let best = 0
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (this.segments[mid].firstSeq <= seq) {
        best = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return best
  }

  /**
   * Visible entries from `fromSeq` on (starting at the oldest if it was pruned), about `maxBytes` of them.
   * Empty when the reader is at the head.
   */
  async read(fromSeq: number, maxBytes = 1024 * 1024): Promise<LogEntry[]> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const upto = this.visible
      const oldest = this.oldestSeq
      if (oldest === undefined || fromSeq > upto) return []
      const from = Math.max(fromSeq, oldest)
      try {
        for (let i = this.segmentFor(from); i < this.segments.length; i++) {
          const seg = this.segments[i]
          if (seg.empty || seg.lastSeq < from) continue
          const got = await seg.read(from, upto, maxBytes)
          if (got.length > 0) return got
        }
        return []
      } catch (err) {
        // A segment pruned under us: look again from the new oldest.
        if (this.segments.some((s) => s.firstSeq <= from && s.lastSeq >= from)) throw err
      }
    }
    return []
  }

  /** The first visible seq with time >= timeUs, or undefined if none is that recent. */
  async seqAtTime(timeUs: number): Promise<number | undefined> {
    for (const seg of this.segments) {
      if (seg.empty || seg.lastTimeUs < timeUs) continue
      const seq = await seg.seqAtTime(timeUs)
      if (seq !== undefined && seq <= this.visible) return seq
      return undefined
    }
    return undefined
  }

  /** Startup recovery: drops every record after `seq` (written but never made durable in the database). */
  async truncateAfter(seq: number): Promise<void> {
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1]
      if (last.firstSeq > seq && this.segments.length > 1) {
        this.segments.pop()
        await last.remove()
        continue
      }
      await last.truncateAfter(seq)
      break
    }
    this.visible = Math.min(this.visible, this.appendedSeq)
  }

  /** Deletes whole segments whose newest record is older than `cutoffUs` (never the segment being written). */
  async prune(cutoffUs: number): Promise<number> {
    let removed = 0
    while (this.segments.length > 1 && this.segments[0].lastTimeUs < cutoffUs) {
      const seg = this.segments.shift() as Segment
      await seg.remove()
      removed++
    }
    return removed
  }

  /** Total bytes on disk. */
  get sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0)
  }

  async close(): Promise<void> {
    for (const s of this.segments) await s.close().catch(() => {})
    this.segments = []
  }
}
