import { hash } from 'node:crypto'

/** SHA-256 through OpenSSL's one-shot API (3-5x faster than pure JS; ~20% faster than createHash). */
export function sha256(data: Uint8Array): Uint8Array {
  const d = hash('sha256', data, 'buffer') as unknown as Buffer
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}
