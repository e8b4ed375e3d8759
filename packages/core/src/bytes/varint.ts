/** Unsigned LEB128 varints (multiformats), limited to safe integers. */
export function varintLength(n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    len++
  }
  return len
}

/** Writes `n` into `out` at `offset`; returns the number of bytes written. */
export function writeVarint(n: number, out: Uint8Array, offset: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('varint must be a non-negative safe integer')
  let i = offset
  while (n >= 0x80) {
    out[i++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 128)
  }
  out[i++] = n
  return i - offset
}

export function encodeVarint(n: number): Uint8Array {
  const out = new Uint8Array(varintLength(n))
  writeVarint(n, out, 0)
  return out
}

/** Returns [value, bytesRead]; rejects truncated, over-long and non-minimal encodings. */
export function decodeVarint(bytes: Uint8Array, offset = 0): [number, number] {
  let value = 0
  let scale = 1
  for (let i = offset; i < bytes.length && i - offset < 8; i++) {
    const b = bytes[i]
    value += (b & 0x7f) * scale
    if ((b & 0x80) === 0) {
      if (b === 0 && i > offset) throw new RangeError('non-minimal varint')
      if (!Number.isSafeInteger(value)) throw new RangeError('varint too large')
      return [value, i - offset + 1]
    }
    scale *= 128
  }
  throw new RangeError('truncated or over-long varint')
}
