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

function compareKeys(a: string, b: string): number {
  const la = utf8Encode(a).length
  const lb = utf8Encode(b).length
  if (la !== lb) return la - lb
  return a < b ? -1 : a > b ? 1 : 0
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
  return Uint8Array.of(m | 27, hi >>> 24, (hi >> 16) & 0xff, (hi >> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff)
}

/** Splits the frame `{op: 1, t}` + `body` around the body's `seq` value (body must not contain seq). */
export function frameParts(t: string, body: Record<string, unknown>): FrameParts {
  const keys = Object.keys(body).filter((k) => body[k] !== undefined && k !== 'seq')
  keys.push('seq')
  keys.sort(compareKeys)
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

/** The final frame with `seq` spliced in (seq must be a non-negative safe integer). */
export function withSeq(parts: FrameParts, seq: number): Uint8Array {
  const head = cborHead(0, seq)
  const out = new Uint8Array(parts.prefix.length + head.length + parts.suffix.length)
  out.set(parts.prefix, 0)
  out.set(head, parts.prefix.length)
  out.set(parts.suffix, parts.prefix.length + head.length)
  return out
}
