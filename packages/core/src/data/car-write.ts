/**
 * CAR v1 writing. `writeCar` streams: it pulls blocks one at a time and yields ~64 KiB chunks, so a
 * repository of any size never sits in memory. `writeCarBytes` builds the whole file in one allocation.
 * Does NOT verify that block bytes match their CIDs (the caller made them) or deduplicate blocks.
 */
import { varintLength, writeVarint } from '../bytes/index.ts'
import { encodeCarHeader } from './car-header.ts'
import type { CID } from './cid.ts'
import { CarError } from './errors.ts'
import type { Block } from './types.ts'

const CHUNK_SIZE = 64 * 1024

export async function* writeCar(
  roots: CID[],
  blocks: Iterable<Block> | AsyncIterable<Block>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const header = encodeCarHeader(roots)
  let chunk = new Uint8Array(Math.max(CHUNK_SIZE, header.length + 9))
  let pos = writeVarint(header.length, chunk, 0)
  chunk.set(header, pos)
  pos += header.length
  for await (const block of blocks) {
    const cidBytes = block.cid.bytes
    const data = block.bytes
    const sectionLen = cidBytes.length + data.length
    const total = varintLength(sectionLen) + sectionLen
    if (pos + total > chunk.length) {
      if (pos > 0) yield pos < chunk.length / 2 ? chunk.slice(0, pos) : chunk.subarray(0, pos)
      chunk = new Uint8Array(Math.max(CHUNK_SIZE, total))
      pos = 0
    }
    pos = writeSection(chunk, pos, cidBytes, data, sectionLen)
  }
  if (pos > 0) yield chunk.subarray(0, pos)
}

export function writeCarBytes(roots: CID[], blocks: Iterable<Block>): Uint8Array {
  const header = encodeCarHeader(roots)
  const list = Array.isArray(blocks) ? (blocks as Block[]) : [...blocks]
  let size = varintLength(header.length) + header.length
  for (const block of list) {
    if (!block?.cid || !(block.bytes instanceof Uint8Array)) throw new CarError('blocks must be {cid, bytes}')
    const sectionLen = block.cid.bytes.length + block.bytes.length
    size += varintLength(sectionLen) + sectionLen
  }
  const out = new Uint8Array(size)
  let pos = writeVarint(header.length, out, 0)
  out.set(header, pos)
  pos += header.length
  for (const block of list) {
    pos = writeSection(out, pos, block.cid.bytes, block.bytes, block.cid.bytes.length + block.bytes.length)
  }
  return out
}

function writeSection(out: Uint8Array, pos: number, cid: Uint8Array, data: Uint8Array, sectionLen: number): number {
  pos += writeVarint(sectionLen, out, pos)
  out.set(cid, pos)
  pos += cid.length
  out.set(data, pos)
  return pos + data.length
}
