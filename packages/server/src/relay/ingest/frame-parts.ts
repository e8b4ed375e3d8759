/**
 * Outgoing frames encoded once, before the relay's sequence number is known: a message frame is split
 * around the value of its body's `seq` key into `prefix` (header, map head, the keys sorting before `seq`,
 * and the `seq` key itself) and `suffix` (every key after it). `withSeq` then writes the final frame with
 * one allocation — the bytes are identical to encodeFrame of the body with that seq (tested), and the
 * same frame object is sent to every consumer and written to the log.
 *
 * Keys are ordered as DAG-CBOR requires (shorter first, then bytewise); values go through encodeCbor, so
 * they get its checks. Keys whose value is undefined are left out.
 */
import { concat, utf8Encode } from '@stratus/core/bytes'
import { encodeCbor } from '@stratus/core/data'

export interface FrameParts {
  prefix: Uint8Array
  suffix: Uint8Array
}

/** DAG-CBOR map key order: shorter UTF-8 first, then bytewise (for equal lengths JS order matches for ASCII). */
function sortKeys(keys: string[]): string[] {
  const withLen = keys.map((k) => {
    const ascii = /^[\x00-\x7f]*$/.test(k)
    return { k, ascii, n: ascii ? k.length : utf8Encode(k).length }
  })
  withLen.sort((a, b) => {
    if (a.n !== b.n) return a.n - b.n
    if (a.ascii && b.ascii) return a.k < b.k ? -1 : a.k > b.k ? 1 : 0
    return compareBytes(a.k, b.k)
  })
  return withLen.map((x) => x.k)
}

function compareBytes(a: string, b: string): number {
  const ea = utf8Encode(a)
  const eb = utf8Encode(b)
  for (let i = 0; i < ea.length; i++) if (ea[i] !== eb[i]) return ea[i] - eb[i]
  return 0
}

/** A CBOR head: major type and argument, minimal form. */
export function cborHead(major: number, n: number): Uint8Array {
  const m = major << 5
  if (n < 24) return Uint8Array.of(m | n)
  if (n < 0x100) return Uint8Array.of(m | 24, n)
  if (n < 0x1_0000) return Uint8Array.of(m | 25, n >> 8, n & 0xff)
  if (n < 0x1_0000_0000) return Uint8Array.of(m | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)
  const hi = Math.floor(n / 0x1_0000_0000)
  const lo = n >>> 0
  return Uint8Array.of(
    m | 27,
    hi >>> 24,
    (hi >> 16) & 0xff,
    (hi >> 8) & 0xff,
    hi & 0xff,
    lo >>> 24,
    (lo >> 16) & 0xff,
    (lo >> 8) & 0xff,
    lo & 0xff,
  )
}

/** Splits the frame `{op: 1, t}` + `body` around the body's `seq` value (body must not contain seq). */
export function frameParts(t: string, body: Record<string, unknown>): FrameParts {
  const keys = sortKeys([...Object.keys(body).filter((k) => body[k] !== undefined && k !== 'seq'), 'seq'])
  const before: Uint8Array[] = [encodeCbor({ op: 1, t }), cborHead(5, keys.length)]
  const after: Uint8Array[] = []
  let target = before
  for (const k of keys) {
    target.push(encodeCbor(k))
    if (k === 'seq') {
      target = after
      continue
    }
    target.push(encodeCbor(body[k]))
  }
  return { prefix: concat(before), suffix: concat(after) }
}

/**
 * Parts taken straight from a received frame (views, no copy): everything around its `seq` value. Only
 * valid when the caller has checked that the frame, apart from seq, is exactly what it would re-encode
 * (strictly decoded, so canonical; same keys and values).
 */
export function splitAtSeq(frame: Uint8Array, range: [number, number]): FrameParts {
  return { prefix: frame.subarray(0, range[0]), suffix: frame.subarray(range[1]) }
}

/** Byte length of the final frame with `seq` spliced in. */
export function frameLengthWithSeq(parts: FrameParts, seq: number): number {
  const head = seq < 24 ? 1 : seq < 0x100 ? 2 : seq < 0x1_0000 ? 3 : seq < 0x1_0000_0000 ? 5 : 9
  return parts.prefix.length + head + parts.suffix.length
}

/** Writes the final frame with `seq` spliced in at `out[at]` (room: frameLengthWithSeq); returns its end. */
export function writeWithSeq(parts: FrameParts, seq: number, out: Uint8Array, at: number): number {
  out.set(parts.prefix, at)
  let pos = at + parts.prefix.length
  if (seq < 24) out[pos++] = seq
  else if (seq < 0x100) {
    out[pos++] = 24
    out[pos++] = seq
  } else if (seq < 0x1_0000) {
    out[pos++] = 25
    out[pos++] = seq >> 8
    out[pos++] = seq & 0xff
  } else {
    const head = cborHead(0, seq)
    out.set(head, pos)
    pos += head.length
  }
  out.set(parts.suffix, pos)
  return pos + parts.suffix.length
}

/** The final frame with `seq` spliced in (seq must be a non-negative safe integer). */
export function withSeq(parts: FrameParts, seq: number): Uint8Array {
  const out = new Uint8Array(frameLengthWithSeq(parts, seq))
  writeWithSeq(parts, seq, out, 0)
  return out
}
