/**
 * A cheap look into an incoming event-stream frame, on the main thread, before the full decode and
 * verification run on a worker: the header's `op` and `t`, and from the body map only `seq`, the account
 * (`repo` for #commit, `did` otherwise) and `rev`. Everything else is skipped over without decoding.
 *
 * Checks only what it reads (bounds, definite lengths, integer/text types of those fields). It does NOT
 * check canonical form, duplicate keys or the rest of the body: the worker's strict decodeFrame does, and
 * it also checks that the account it decodes is the one peeked here.
 */

export class PeekError extends Error {
  override name = 'PeekError'
}

export interface PeekedFrame {
  op: number
  t?: string
  seq?: number
  /** `repo` of a #commit, `did` of the other types. */
  did?: string
  rev?: string
}

const MAX_DEPTH = 64
const decoder = new TextDecoder('utf-8', { fatal: true })

class Reader {
  pos = 0
  constructor(readonly b: Uint8Array) {}

  fail(msg: string): never {
    throw new PeekError(`${msg} at byte ${this.pos}`)
  }

  /** Major type and argument of the last item head read (fields, not a returned object: no allocation). */
  major = 0
  arg = 0

  /** Reads an item head into `major` and `arg` (length, value or simple). */
  head(): void {
    if (this.pos >= this.b.length) this.fail('unexpected end of frame')
    const first = this.b[this.pos++]
    this.major = first >> 5
    const info = first & 0x1f
    if (info < 24) {
      this.arg = info
      return
    }
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
    if (size === 0) this.fail(`unsupported additional info ${info}`)
    if (this.pos + size > this.b.length) this.fail('unexpected end of frame')
    let arg = 0
    for (let i = 0; i < size; i++) arg = arg * 256 + this.b[this.pos++]
    if (!Number.isSafeInteger(arg)) this.fail('integer too large')
    this.arg = arg
  }

  text(): string {
    this.head()
    if (this.major !== 3) this.fail('expected a text string')
    const start = this.pos
    this.advance(this.arg)
    return this.arg <= 64 ? shortText(this.b, start, this.pos) : decoder.decode(this.b.subarray(start, this.pos))
  }

  /** Reads a map key (a text string) and returns its index in `names`, or -1, without making a string. */
  key(names: readonly Uint8Array[]): number {
    this.head()
    if (this.major !== 3) this.fail('expected a text string')
    const arg = this.arg
    const start = this.pos
    this.advance(arg)
    const b = this.b
    outer: for (let k = 0; k < names.length; k++) {
      const name = names[k]
      if (name.length !== arg) continue
      for (let i = 0; i < arg; i++) if (b[start + i] !== name[i]) continue outer
      return k
    }
    return -1
  }

  take(n: number): Uint8Array {
    const start = this.pos
    this.advance(n)
    return this.b.subarray(start, this.pos)
  }

  advance(n: number): void {
    if (this.pos + n > this.b.length) this.fail('length runs past the end of the frame')
    this.pos += n
  }

  skip(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply')
    this.head()
    const arg = this.arg
    switch (this.major) {
      case 0:
      case 1:
      case 7:
        return
      case 2:
      case 3:
        this.advance(arg)
        return
      case 4:
        for (let i = 0; i < arg; i++) this.skip(depth + 1)
        return
      case 5:
        for (let i = 0; i < arg * 2; i++) this.skip(depth + 1)
        return
      default:
        this.skip(depth + 1) // tag: its content
    }
  }

  int(): number {
    this.head()
    if (this.major === 0) return this.arg
    if (this.major === 1) return -1 - this.arg
    return this.fail('expected an integer')
  }
}

function mapLength(r: Reader, what: string): number {
  r.head()
  if (r.major !== 5) r.fail(`${what} is not a map`)
  return r.arg
}

const latin1 = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string

/**
 * Keys, DIDs and revs are short ASCII: one flat string straight from the bytes (a char-by-char `+=` makes
 * a string per character), skipping TextDecoder's per-call cost; anything non-ASCII goes to TextDecoder.
 */
function shortText(b: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return decoder.decode(b.subarray(start, end))
  return latin1.call(b, start, end)
}

/**
 * Where the value of the body's top-level `seq` sits in a message frame: [start, end) byte offsets, or
 * undefined if there is none. Lets a verified frame be re-sequenced by splicing instead of re-encoding.
 */
export function seqValueRange(bytes: Uint8Array): [number, number] | undefined {
  try {
    const r = new Reader(bytes)
    r.skip(0)
    for (let n = mapLength(r, 'frame body'); n > 0; n--) {
      const isSeq = r.key(SEQ_KEY) === 0
      const start = r.pos
      r.skip(1)
      if (isSeq) return [start, r.pos]
    }
  } catch {}
  return undefined
}

const ascii = (...names: string[]) => names.map((n) => Uint8Array.from(n, (c) => c.charCodeAt(0)))
const HEADER_KEYS = ascii('op', 't')
const BODY_KEYS = ascii('seq', 'repo', 'did', 'rev')
const SEQ_KEY = ascii('seq')

export function peekFrame(bytes: Uint8Array): PeekedFrame {
  const r = new Reader(bytes)
  const out: PeekedFrame = { op: 0 }
  let sawOp = false
  for (let n = mapLength(r, 'frame header'); n > 0; n--) {
    const key = r.key(HEADER_KEYS)
    if (key === 0) {
      out.op = r.int()
      sawOp = true
    } else if (key === 1) out.t = r.text()
    else r.skip(1)
  }
  if (!sawOp) r.fail('frame header has no op')
  if (out.op !== 1) return out
  const isCommit = out.t === '#commit'
  for (let n = mapLength(r, 'frame body'); n > 0; n--) {
    const key = r.key(BODY_KEYS)
    if (key === 0) out.seq = r.int()
    else if ((key === 1 && isCommit) || (key === 2 && !isCommit)) out.did = r.text()
    else if (key === 3) out.rev = r.text()
    else r.skip(1)
  }
  if (r.pos !== bytes.length) r.fail('trailing bytes after the frame body')
  return out
}
