/** An insertion-ordered set of blocks keyed by CID. */
import type { Block, CID } from '../data/index.ts'

export class BlockMap {
  private readonly map = new Map<string, Block>()

  constructor(blocks?: Iterable<Block>) {
    if (blocks) for (const b of blocks) this.set(b.cid, b.bytes)
  }

  set(cid: CID, bytes: Uint8Array): this {
    this.map.set(cid.toString(), { cid, bytes })
    return this
  }

  add(block: Block): this {
    this.map.set(block.cid.toString(), block)
    return this
  }

  addAll(other: BlockMap | Iterable<Block>): this {
    for (const b of other) this.map.set(b.cid.toString(), b)
    return this
  }

  get(cid: CID): Uint8Array | undefined {
    return this.map.get(cid.toString())?.bytes
  }

  has(cid: CID): boolean {
    return this.map.has(cid.toString())
  }

  delete(cid: CID): boolean {
    return this.map.delete(cid.toString())
  }

  get size(): number {
    return this.map.size
  }

  /** Total bytes of the block contents. */
  byteLength(): number {
    let n = 0
    for (const b of this.map.values()) n += b.bytes.length
    return n
  }

  cids(): CID[] {
    return [...this.map.values()].map((b) => b.cid)
  }

  [Symbol.iterator](): IterableIterator<Block> {
    return this.map.values()
  }
}
