/**
 * The atproto data model: CIDs, strict DAG-CBOR, the JSON form, blob refs and CAR v1 files.
 * See each file's header for what it checks and what it does not.
 */
export { CID, DAG_CBOR, RAW, SHA256, cidForCbor, cidForRaw } from './cid.ts'
export type { LexValue, LexMap, Block } from './types.ts'
export { encodeCbor, MAX_DEPTH } from './cbor-encode.ts'
export { decodeCbor, decodeCborFirst } from './cbor-decode.ts'
export { encodeBlock } from './block.ts'
export { BlobRef, isBlobRef, toBlobRef, type LegacyBlobJson, type TypedBlobJson } from './blob-ref.ts'
export { lexToJson, jsonToLex, lexStringify, lexParse, type JsonValue, type JsonToLexOptions } from './json.ts'
export { lexEquals } from './equals.ts'
export { CarBlocks, readCar, readCarBlocks, readCarStream, type CarReadOptions } from './car-read.ts'
export { writeCar, writeCarBytes } from './car-write.ts'
export { CborError, CarError, CidError } from './errors.ts'
