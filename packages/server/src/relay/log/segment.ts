/**
 * One file of the event log: records (record.ts) appended in seq order, plus an in-memory sparse index
 * (every INDEX_EVERY-th record's seq, time and offset) so a reader finds a cursor with one positional read.
 * A sealed segment (no longer appended to) gets a sidecar `.idx` file with that index, so reopening the log
 * does not rescan it; the open (last) segment is scanned on open and a torn tail is cut off.
 *
 * Does not fsync on its own (the log decides), and does not know about retention.
 */
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { type LogEntry, RECORD_HEADER_BYTES, recordLengthAt, scanRecords } from './record.ts'

export const INDEX_EVERY = 64
const SCAN_CHUNK = 4 * 1024 * 1024

export interface IndexPoint {
  seq: number
  timeUs: number
  offset: number
}

export function segmentFileName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.seg`
}

export function parseSegmentFileName(name: string): number | undefined {
  const m = /^(\d{16})\.seg$/.exec(name)
  return m ? Number(m[1]) : undefined
}

interface Sidecar {
  size: number
  count: number
  lastSeq: number
  firstTimeUs: number
  lastTimeUs: number
  index: [number, number, number][]
}

export class Segment {
  count = 0
  size = 0
  lastSeq: number
  firstTimeUs = 0
  lastTimeUs = 0
  readonly index: IndexPoint[] = []

  private constructor(
    readonly path: string,
    readonly firstSeq: number,
    private fh: FileHandle,
  ) {
    this.lastSeq = firstSeq - 1
  }

  static async create(dir: string, firstSeq: number): Promise<Segment> {
    const path = join(dir, segmentFileName(firstSeq))
    return new Segment(path, firstSeq, await open(path, 'w+'))
  }

  /** Opens an existing segment: from its sidecar if it matches the file, else by scanning (cutting a torn tail). */
  static async open(dir: string, firstSeq: number, opts: { writable: boolean }): Promise<Segment> {
    const path = join(dir, segmentFileName(firstSeq))
    const seg = new Segment(path, firstSeq, await open(path, 'r+'))
    const { size } = await seg.fh.stat()
    if (!opts.writable && (await seg.loadSidecar(size))) return seg
    await seg.scan(size)
    return seg
  }

  get empty(): boolean {
    return this.count === 0
  }

  private async loadSidecar(size: number): Promise<boolean> {
    try {
      const side = JSON.parse(await readFile(`${this.path}.idx`, 'utf8')) as Sidecar
      if (side.size !== size || !Array.isArray(side.index)) return false
      Object.assign(this, { size, count: side.count, lastSeq: side.lastSeq })
      this.firstTimeUs = side.firstTimeUs
      this.lastTimeUs = side.lastTimeUs
      for (const [seq, timeUs, offset] of side.index) this.index.push({ seq, timeUs, offset })
      return true
    } catch {
      return false
    }
  }

  /** Reads the whole file, rebuilding the metadata; truncates at the first incomplete or corrupt record. */
  private async scan(fileSize: number): Promise<void> {
    let base = 0
    while (base < fileSize) {
      const len = Math.min(SCAN_CHUNK, fileSize - base)
      let buf = Buffer.allocUnsafe(len)
      await this.fh.read(buf, 0, len, base)
      let { records, next, stop } = scanRecords(buf)
      if (records.length === 0 && stop === 'partial' && next + RECORD_HEADER_BYTES <= len) {
        // One record larger than the chunk: read exactly that record.
        const whole = recordLengthAt(buf, 0)
        if (base + whole <= fileSize) {
          buf = Buffer.allocUnsafe(whole)
          await this.fh.read(buf, 0, whole, base)
          ;({ records, next, stop } = scanRecords(buf))
        }
      }
      for (const r of records) this.track(r.seq, r.timeUs, base + r.offset)
      base += next
      if (stop === 'corrupt' || records.length === 0) break
    }
    this.size = base
    if (base < fileSize) await this.fh.truncate(base)
  }

  private track(seq: number, timeUs: number, offset: number): void {
    if (this.count === 0) this.firstTimeUs = timeUs
    if (this.count % INDEX_EVERY === 0) this.index.push({ seq, timeUs, offset })
    this.count++
    this.lastSeq = seq
    this.lastTimeUs = timeUs
  }

  /** Appends pre-encoded records (`buf` = encodeRecords(entries)). */
  async append(buf: Uint8Array, entries: readonly LogEntry[]): Promise<void> {
    let off = 0
    while (off < buf.byteLength) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.byteLength - off, this.size + off)
      off += bytesWritten
    }
    let at = this.size
    for (const e of entries) {
      this.track(e.seq, e.timeUs, at)
      at += RECORD_HEADER_BYTES + e.frame.byteLength
    }
    this.size = at
  }

  sync(): Promise<void> {
    return this.fh.datasync()
  }

  /** The offset to start reading at for the first record with seq >= `seq`. */
  private offsetFor(seq: number): number {
    let lo = 0
    let hi = this.index.length - 1
    let best = 0
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (this.index[mid].seq <= seq) {
        best = this.index[mid].offset
        lo = mid + 1
      } else hi = mid - 1
    }
    return best
  }

  /** Records with fromSeq <= seq <= toSeq, about `maxBytes` of them (at least one if any). */
  async read(fromSeq: number, toSeq: number, maxBytes: number): Promise<LogEntry[]> {
    const out: LogEntry[] = []
    let pos = this.offsetFor(fromSeq)
    while (pos < this.size) {
      const len = Math.min(Math.max(maxBytes, 64 * 1024), this.size - pos)
      let buf = Buffer.allocUnsafe(len)
      await this.fh.read(buf, 0, len, pos)
      let { records, next } = scanRecords(buf)
      if (records.length === 0) {
        const whole = recordLengthAt(buf, 0)
        if (whole > this.size - pos) return out
        buf = Buffer.allocUnsafe(whole)
        await this.fh.read(buf, 0, whole, pos)
        ;({ records, next } = scanRecords(buf))
        if (records.length === 0) return out
      }
      for (const r of records) {
        if (r.seq > toSeq) return out
        if (r.seq >= fromSeq) out.push({ seq: r.seq, timeUs: r.timeUs, frame: r.frame })
      }
      pos += next
      if (out.length > 0) return out
    }
    return out
  }

  /** The first seq whose time is >= timeUs, or undefined if every record here is older. */
  async seqAtTime(timeUs: number): Promise<number | undefined> {
    if (this.empty || this.lastTimeUs < timeUs) return undefined
    let start = this.index[0]
    for (const p of this.index) {
      if (p.timeUs >= timeUs) break
      start = p
    }
    let seq = start.seq
    while (seq <= this.lastSeq) {
      const batch = await this.read(seq, this.lastSeq, 256 * 1024)
      if (batch.length === 0) return undefined
      for (const e of batch) if (e.timeUs >= timeUs) return e.seq
      seq = batch[batch.length - 1].seq + 1
    }
    return undefined
  }

  /** Drops every record with seq > `seq`. */
  async truncateAfter(seq: number): Promise<void> {
    if (seq >= this.lastSeq) return
    const keep = this.index.filter((p) => p.seq <= seq)
    const rest = keep.length > 0 ? await this.read(keep[keep.length - 1].seq, seq, 1 << 30) : []
    let size = keep.length > 0 ? keep[keep.length - 1].offset : 0
    for (const e of rest) size += RECORD_HEADER_BYTES + e.frame.byteLength
    await this.fh.truncate(size)
    this.index.length = 0
    Object.assign(this, { count: 0, size: 0, lastSeq: this.firstSeq - 1, firstTimeUs: 0, lastTimeUs: 0 })
    await this.scan(size)
  }

  /** Writes the sidecar index (call once the segment will no longer grow). */
  async seal(): Promise<void> {
    const side: Sidecar = {
      size: this.size,
      count: this.count,
      lastSeq: this.lastSeq,
      firstTimeUs: this.firstTimeUs,
      lastTimeUs: this.lastTimeUs,
      index: this.index.map((p) => [p.seq, p.timeUs, p.offset]),
    }
    await writeFile(`${this.path}.idx`, JSON.stringify(side))
  }

  close(): Promise<void> {
    return this.fh.close()
  }

  async remove(): Promise<void> {
    await this.fh.close().catch(() => {})
    await rm(this.path, { force: true })
    await rm(`${this.path}.idx`, { force: true })
  }
}
