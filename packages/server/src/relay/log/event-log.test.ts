import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EventLog } from './event-log.ts'
import { type LogEntry, encodeRecords, scanRecords } from './record.ts'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'relay-log-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Entries with distinct, size-varying frames so mixups are visible. */
function entries(from: number, n: number, t0 = 1_700_000_000_000_000): LogEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = from + i
    const frame = new Uint8Array(10 + (seq % 300)).fill(seq % 251)
    return { seq, timeUs: t0 + seq * 10, frame }
  })
}

/** Appends in batches of 5 (a segment rolls between appends, never inside one). */
async function appendAll(log: EventLog, es: LogEntry[]): Promise<void> {
  for (let i = 0; i < es.length; i += 5) await log.append(es.slice(i, i + 5))
}

async function readAll(log: EventLog, from: number): Promise<LogEntry[]> {
  const out: LogEntry[] = []
  let next = from
  while (true) {
    const got = await log.read(next, 4096)
    if (got.length === 0) return out
    out.push(...got)
    next = got[got.length - 1].seq + 1
  }
}

describe('record codec', () => {
  it('round-trips and detects corruption and torn tails', () => {
    const es = entries(1, 5)
    const buf = encodeRecords(es)
    const { records, stop } = scanRecords(buf)
    expect(stop).toBe('end')
    expect(records.map((r) => [r.seq, r.timeUs, Buffer.from(r.frame).toString('hex')])).toEqual(
      es.map((e) => [e.seq, e.timeUs, Buffer.from(e.frame).toString('hex')]),
    )
    expect(scanRecords(buf.subarray(0, buf.length - 3)).stop).toBe('partial')
    const bad = Buffer.from(buf)
    bad[30] ^= 1
    const scanned = scanRecords(bad)
    expect(scanned.stop).toBe('corrupt')
    expect(scanned.records.length).toBe(0)
  })

  it('keeps seq and time above 2^32', () => {
    const big = [{ seq: 2 ** 40 + 7, timeUs: 1_750_000_000_123_456, frame: new Uint8Array([1, 2]) }]
    const [r] = scanRecords(encodeRecords(big)).records
    expect([r.seq, r.timeUs]).toEqual([2 ** 40 + 7, 1_750_000_000_123_456])
  })
})

describe('EventLog', () => {
  it('reads only what was published, across segments, and survives a reopen', async () => {
    const dir = tempDir()
    const log = await EventLog.open({ dir, segmentBytes: 1000, fsync: false })
    await appendAll(log, entries(1, 40))
    expect(await log.read(1)).toEqual([])
    log.publish(40)
    await appendAll(log, entries(41, 40))
    log.publish(80)
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(3)
    const all = await readAll(log, 1)
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1))
    expect((await readAll(log, 57))[0].seq).toBe(57)
    await log.close()

    const again = await EventLog.open({ dir, segmentBytes: 1000, fsync: false })
    expect(again.lastSeq).toBe(80)
    expect((await readAll(again, 1)).map((e) => Buffer.from(e.frame).toString('hex'))).toEqual(
      all.map((e) => Buffer.from(e.frame).toString('hex')),
    )
    await again.append(entries(81, 3))
    again.publish(83)
    expect((await readAll(again, 80)).map((e) => e.seq)).toEqual([80, 81, 82, 83])
    await again.close()
  })

  it('cuts a torn tail on open and refuses out-of-order appends', async () => {
    const dir = tempDir()
    const log = await EventLog.open({ dir, fsync: false })
    await log.append(entries(1, 10))
    await expect(log.append(entries(5, 1))).rejects.toThrow(/out of order/)
    await log.close()
    const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.seg')) as string)
    appendFileSync(seg, Buffer.from([1, 2, 3, 4, 5, 6, 7]))
    const size = statSync(seg).size
    const reopened = await EventLog.open({ dir, fsync: false })
    expect(reopened.lastSeq).toBe(10)
    expect(statSync(seg).size).toBe(size - 7)
    await reopened.close()
    truncateSync(seg, size - 7 - 5) // tear the last record
    const torn = await EventLog.open({ dir, fsync: false })
    expect(torn.lastSeq).toBe(9)
    await torn.close()
  })

  it('truncates back to a durable seq, prunes old segments and finds seqs by time', async () => {
    const dir = tempDir()
    const log = await EventLog.open({ dir, segmentBytes: 1500, fsync: false })
    await appendAll(log, entries(1, 60))
    log.publish(60)
    await log.truncateAfter(33)
    expect(log.appendedSeq).toBe(33)
    expect(log.lastSeq).toBe(33)
    expect((await readAll(log, 1)).length).toBe(33)
    await appendAll(log, entries(34, 10))
    log.publish(43)
    expect((await readAll(log, 30)).map((e) => e.seq)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43])

    const t0 = 1_700_000_000_000_000
    expect(await log.seqAtTime(t0 + 25 * 10)).toBe(25)
    expect(await log.seqAtTime(t0 + 25 * 10 + 1)).toBe(26)
    expect(await log.seqAtTime(t0 + 999 * 10)).toBeUndefined()

    const removed = await log.prune(t0 + 35 * 10)
    expect(removed).toBeGreaterThan(0)
    const oldest = log.oldestSeq as number
    expect(oldest).toBeGreaterThan(1)
    expect(oldest).toBeLessThanOrEqual(36)
    expect((await log.read(1))[0].seq).toBe(oldest)
    await log.close()
  })
})
