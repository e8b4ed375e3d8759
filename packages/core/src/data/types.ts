/** Value types of the atproto data model as held in memory. */
import type { BlobRef } from './blob-ref.ts'
import type { CID } from './cid.ts'

/**
 * A data-model value: what `decodeCbor` and `jsonToLex` return and what `encodeCbor` accepts.
 * Numbers are safe integers; blob objects decode as plain maps (`toBlobRef` turns them into a BlobRef).
 */
export type LexValue = null | boolean | number | string | Uint8Array | CID | BlobRef | LexValue[] | LexMap
export type LexMap = { [key: string]: LexValue }

/** One content-addressed block: its CID and encoded bytes. */
export type Block = { cid: CID; bytes: Uint8Array }
