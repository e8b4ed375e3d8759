/**
 * Byte-level reader over a stream of chunks for the streaming CAR reader. Buffers only what a caller
 * asked for (plus the rest of the last chunk pulled); `take` always copies out.
 */
import { CarError } from './errors.ts'

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>

export class ChunkReader {
  readonly #it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>
  #chunks: Uint8Array[] = []
  /** Index of the first unread chunk in #chunks. */
  #first = 0
  /** Read offset inside #chunks[#first]. */
  #offset = 0
  #available = 0
  #done = false

  constructor(source: Source) {
    const s = source as Partial<AsyncIterable<Uint8Array> & Iterable<Uint8Array>> | null
    const asyncIt = s?.[Symbol.asyncIterator]
    const syncIt = s?.[Symbol.iterator]
    if (typeof asyncIt === 'function') this.#it = asyncIt.call(s)
    else if (typeof syncIt === 'function') this.#it = syncIt.call(s)
    else throw new CarError('CAR stream must be an iterable of Uint8Array chunks')
  }

  /** Bytes buffered and not yet taken. */
  get available(): number {
    return this.#available
  }

  /** Makes at least `n` bytes available; false if the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.#available < n) {
      if (this.#done) return false
      const r = await this.#it.next()
      if (r.done) {
        this.#done = true
        return false
      }
      const chunk = r.value
      if (!(chunk instanceof Uint8Array)) throw new CarError('CAR stream chunks must be Uint8Array')
      if (chunk.length === 0) continue
      this.#chunks.push(chunk)
      this.#available += chunk.length
    }
    return true
  }

  /**
   * Removes and returns the next `n` bytes (made available with `fill`) in a fresh buffer: a view into
   * the chunk would keep the whole chunk alive for as long as the caller keeps the block.
   */
  take(n: number): Uint8Array {
    if (n > this.#available) throw new CarError('internal: take past the buffered bytes')
    this.#available -= n
    const head = this.#chunks[this.#first]
    if (head !== undefined && head.length - this.#offset >= n) {
      // Not head.slice(): on a Node Buffer that returns a view, not a copy.
      const out = new Uint8Array(n)
      out.set(head.subarray(this.#offset, this.#offset + n))
      this.#advance(n)
      return out
    }
    const out = new Uint8Array(n)
    let written = 0
    while (written < n) {
      const chunk = this.#chunks[this.#first]
      const part = Math.min(n - written, chunk.length - this.#offset)
      out.set(chunk.subarray(this.#offset, this.#offset + part), written)
      written += part
      this.#advance(part)
    }
    return out
  }

  #advance(n: number): void {
    this.#offset += n
    const chunk = this.#chunks[this.#first]
    if (this.#offset === chunk.length) {
      this.#chunks[this.#first] = EMPTY // release the chunk
      this.#first++
      this.#offset = 0
      if (this.#first > 32 && this.#first * 2 > this.#chunks.length) {
        this.#chunks = this.#chunks.slice(this.#first)
        this.#first = 0
      }
    }
  }

  /**
   * Reads an unsigned varint length (minimal, at most 8 bytes) and checks it against `max`. Returns null
   * at a clean end of stream (no bytes at all); throws CarError if the stream ends inside the varint.
   */
  async readLength(max: number, what: string): Promise<number | null> {
    if (this.#available === 0 && !(await this.fill(1))) return null
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      if (this.#available === 0 && !(await this.fill(1)))
        throw new CarError(`truncated CAR: ${what} length varint cut off`)
      const b = this.#chunks[this.#first][this.#offset]
      this.#available--
      this.#advance(1)
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new CarError(`non-minimal ${what} length varint`)
        if (value > max) throw new CarError(`${what} section of ${value} bytes exceeds the limit of ${max}`)
        return value
      }
      scale *= 128
    }
    throw new CarError(`${what} length varint longer than 8 bytes`)
  }

  /** Stops the source (e.g. when the consumer stops early or an error occurred). */
  async close(): Promise<void> {
    this.#chunks = []
    this.#first = 0
    this.#available = 0
    if (!this.#done) {
      this.#done = true
      await this.#it.return?.()
    }
  }
}

const EMPTY = new Uint8Array(0)
