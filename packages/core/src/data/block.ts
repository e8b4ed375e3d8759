/** Encoding a value as a block: its DAG-CBOR bytes and their CID. */
import { encodeCbor } from './cbor-encode.ts'
import { cidForCbor } from './cid.ts'
import type { Block } from './types.ts'

export function encodeBlock(v: unknown): Block {
  const bytes = encodeCbor(v)
  return { cid: cidForCbor(bytes), bytes }
}
