/**
 * The on-disk form of one event-log record: a 24-byte header then the frame exactly as consumers get it.
 *
 *   u32 LE  frame length
 *   u32 LE  CRC-32 of bytes 8..end (seq, time and frame), so a torn or corrupted tail is recognised
 *   u64 LE  relay sequence number
 *   u64 LE  relay receive time, unix microseconds (the Jetstream cursor)
 *   …       frame bytes (header + body, DAG-CBOR)
 *
 * Checks lengths and checksums only; it does not decode the frame.
 */
import { crc32 } from 'node:zlib'

export const RECORD_HEADER_BYTES = 24
/** No frame we write is anywhere near this; a larger length means the file is corrupt. */
export const MAX_RECORD_FRAME_BYTES = 16 * 1024 * 1024

export interface LogEntry {
  seq: number
  /** Unix microseconds, strictly increasing with seq. */
  timeUs: number
  frame: Uint8Array
}

export interface ScannedRecord extends LogEntry {
  /** Byte offset of the record's header in its buffer. */
  offset: number
}

function writeU64(view: DataView, at: number, n: number): void {
  view.setUint32(at, n % 0x1_0000_0000, true)
  view.setUint32(at + 4, Math.floor(n / 0x1_0000_0000), true)
}

function readU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000
}

/** All entries as one buffer of consecutive records. */
export function encodeRecords(entries: readonly LogEntry[]): Buffer {
  return encodeRecordsWith(
    entries,
    (e) => e.frame.byteLength,
    (e, out, at) => out.set(e.frame, at),
  )
}

/**
 * Like encodeRecords, with each frame written straight into the records buffer by `writeFrame` (which
 * must write exactly `frameLength(e)` bytes at `at`), so a frame assembled from parts is copied once.
 */
export function encodeRecordsWith<T extends { seq: number; timeUs: number }>(
  entries: readonly T[],
  frameLength: (e: T) => number,
  writeFrame: (e: T, out: Uint8Array, at: number) => void,
): Buffer {
  let total = 0
  for (const e of entries) total += RECORD_HEADER_BYTES + frameLength(e)
  const out = Buffer.allocUnsafe(total)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  let at = 0
  for (const e of entries) {
    const len = frameLength(e)
    view.setUint32(at, len, true)
    writeU64(view, at + 8, e.seq)
    writeU64(view, at + 16, e.timeUs)
    writeFrame(e, out, at + RECORD_HEADER_BYTES)
    view.setUint32(at + 4, crc32(out.subarray(at + 8, at + RECORD_HEADER_BYTES + len)), true)
    at += RECORD_HEADER_BYTES + len
  }
  return out
}

export type ScanStop = 'end' | 'partial' | 'corrupt'

/**
 * Parses consecutive records from `buf` starting at `offset`. Stops at the end of the buffer, at a record
 * that is cut off ('partial': read more, or a torn tail) or at one that fails its checksum ('corrupt').
 * Frames are views into `buf`.
 */
export function scanRecords(buf: Uint8Array, offset = 0): { records: ScannedRecord[]; next: number; stop: ScanStop } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const records: ScannedRecord[] = []
  let at = offset
  while (true) {
    if (at === buf.byteLength) return { records, next: at, stop: 'end' }
    if (at + RECORD_HEADER_BYTES > buf.byteLength) return { records, next: at, stop: 'partial' }
    const len = view.getUint32(at, true)
    if (len > MAX_RECORD_FRAME_BYTES) return { records, next: at, stop: 'corrupt' }
    const end = at + RECORD_HEADER_BYTES + len
    if (end > buf.byteLength) return { records, next: at, stop: 'partial' }
    if (crc32(buf.subarray(at + 8, end)) !== view.getUint32(at + 4, true)) return { records, next: at, stop: 'corrupt' }
    records.push({
      seq: readU64(view, at + 8),
      timeUs: readU64(view, at + 16),
      frame: buf.subarray(at + RECORD_HEADER_BYTES, end),
      offset: at,
    })
    at = end
  }
}

/** The frame length a record header announces (for reading a record larger than the chunk at hand). */
export function recordLengthAt(buf: Uint8Array, offset: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  return RECORD_HEADER_BYTES + view.getUint32(offset, true)
}
