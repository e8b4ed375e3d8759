/**
 * CAR v1 reading. `readCar` parses a whole CAR held in memory (blocks are views into it);
 * `readCarStream` parses a stream of byte chunks and yields blocks as they complete, holding at most
 * one block plus one chunk in memory; its blocks are copies, so keeping one never pins a whole chunk.
 * Both verify every block's sha-256 against its CID.
 *
 * Rejects (CarError): malformed or non-minimal varints, sections larger than `maxBlockSize`, headers
 * larger than `maxHeaderSize`, truncated input, malformed CIDs (CIDv0 included), hash mismatches, and
 * hashes other than sha-256 (which cannot be verified). Does NOT check that blocks are reachable from
 * the roots or that block data is valid DAG-CBOR.
 */
import { decodeVarint } from '../bytes/index.ts'
import { ChunkReader } from './car-chunks.ts'
import {
  type CarReadOptions,
  DEFAULT_MAX_BLOCK_SIZE,
  DEFAULT_MAX_HEADER_SIZE,
  decodeCarHeader,
  verifyBlock,
} from './car-header.ts'
import { CID, cidLengthAt } from './cid.ts'
import { CarError } from './errors.ts'
import type { Block } from './types.ts'

export type { CarReadOptions }

/** Reads a CAR held in memory. Block bytes are views into `bytes`. */
export function readCar(bytes: Uint8Array, opts?: CarReadOptions): { roots: CID[]; blocks: Map<string, Uint8Array> } {
  const blocks = new Map<string, Uint8Array>()
  const roots = readSections(bytes, opts, (b) => blocks.set(b.cid.toString(), b.bytes))
  return { roots, blocks }
}

/**
 * Reads a CAR held in memory into a CarBlocks (lookups by CID without CID strings): for verifiers that
 * read a small CAR once and look blocks up by the CIDs they decode. Block bytes are views into `bytes`.
 */
export function readCarBlocks(bytes: Uint8Array, opts?: CarReadOptions): { roots: CID[]; blocks: CarBlocks } {
  const blocks = new CarBlocks()
  const roots = readSections(bytes, opts, (b) => blocks.add(b))
  return { roots, blocks }
}

/** Checks the header and every block section (hash included), handing each block to `add`; returns the roots. */
function readSections(bytes: Uint8Array, opts: CarReadOptions | undefined, add: (b: Block) => void): CID[] {
  const maxBlock = opts?.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE
  let [headerLen, pos] = readLength(bytes, 0, opts?.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE, 'header')
  if (headerLen === 0) throw new CarError('empty CAR header')
  const roots = decodeCarHeader(bytes.subarray(pos, (pos += headerLen)))
  while (pos < bytes.length) {
    let sectionLen: number
    ;[sectionLen, pos] = readLength(bytes, pos, maxBlock, 'block')
    const block = splitSection(bytes.subarray(pos, (pos += sectionLen)))
    verifyBlock(block.cid, block.bytes)
    add(block)
  }
  return roots
}

/**
 * Blocks by CID, keyed by the last four bytes of the CID (the end of its digest: uniformly distributed for
 * verified blocks) with the whole CID compared on a hit, so neither adding nor looking up makes a string.
 * A CID added twice keeps its first block (same CID, same verified bytes).
 */
export class CarBlocks {
  private readonly map = new Map<number, Block | Block[]>()
  private count = 0

  add(block: Block): void {
    const k = keyOf(block.cid.bytes)
    const cur = this.map.get(k)
    if (cur === undefined) this.map.set(k, block)
    else if (Array.isArray(cur)) {
      if (cur.some((b) => b.cid.equals(block.cid))) return
      cur.push(block)
    } else {
      if (cur.cid.equals(block.cid)) return
      this.map.set(k, [cur, block])
    }
    this.count++
  }

  get(cid: CID): Uint8Array | undefined {
    const cur = this.map.get(keyOf(cid.bytes))
    if (cur === undefined) return undefined
    if (!Array.isArray(cur)) return cur.cid.equals(cid) ? cur.bytes : undefined
    return cur.find((b) => b.cid.equals(cid))?.bytes
  }

  has(cid: CID): boolean {
    return this.get(cid) !== undefined
  }

  get size(): number {
    return this.count
  }

  *[Symbol.iterator](): IterableIterator<Block> {
    for (const v of this.map.values()) {
      if (Array.isArray(v)) yield* v
      else yield v
    }
  }
}

function keyOf(b: Uint8Array): number {
  const n = b.length
  return (b[n - 4] << 24) | (b[n - 3] << 16) | (b[n - 2] << 8) | b[n - 1]
}

/** Reads a varint length at `pos`, checks it against `max` and the bytes left; returns [length, next pos]. */
function readLength(bytes: Uint8Array, pos: number, max: number, what: string): [number, number] {
  let len: number
  let n: number
  try {
    ;[len, n] = decodeVarint(bytes, pos)
  } catch (err) {
    throw new CarError(`bad ${what} length varint at byte ${pos}: ${(err as Error).message}`)
  }
  if (len > max) throw new CarError(`${what} section of ${len} bytes exceeds the limit of ${max}`)
  if (len > bytes.length - pos - n) throw new CarError(`truncated CAR: ${what} section runs past the end`)
  return [len, pos + n]
}

/** Splits a block section into its CID and data. */
export function splitSection(section: Uint8Array): Block {
  let cidLen: number
  let cid: CID
  try {
    cidLen = cidLengthAt(section, 0)
    if (cidLen > section.length) throw new CarError('CID runs past the end of its section')
    cid = CID.decode(section.subarray(0, cidLen))
  } catch (err) {
    if (err instanceof CarError) throw err
    throw new CarError(`bad block CID: ${(err as Error).message}`)
  }
  return { cid, bytes: section.subarray(cidLen) }
}

/**
 * Reads a CAR from a stream of chunks. Resolves once the header is read; `blocks` then yields each
 * verified block. Stopping the iteration early closes the source.
 */
export async function readCarStream(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts?: CarReadOptions,
): Promise<{ roots: CID[]; blocks: AsyncIterable<Block> }> {
  const reader = new ChunkReader(stream)
  try {
    const headerLen = await reader.readLength(opts?.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE, 'header')
    if (headerLen === null || headerLen === 0) throw new CarError('empty CAR or CAR header')
    if (reader.available < headerLen && !(await reader.fill(headerLen))) throw new CarError('truncated CAR header')
    const roots = decodeCarHeader(reader.take(headerLen))
    return { roots, blocks: streamBlocks(reader, opts?.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE) }
  } catch (err) {
    await reader.close()
    throw err
  }
}

async function* streamBlocks(reader: ChunkReader, maxBlock: number): AsyncGenerator<Block, void, undefined> {
  try {
    for (;;) {
      const len = await reader.readLength(maxBlock, 'block')
      if (len === null) return
      if (reader.available < len && !(await reader.fill(len)))
        throw new CarError('truncated CAR: block section runs past the end')
      const block = splitSection(reader.take(len))
      verifyBlock(block.cid, block.bytes)
      yield block
    }
  } finally {
    await reader.close()
  }
}
