/**
 * Turning a client's write into a prepared write, before any transaction: `$type` filled in or checked
 * against the collection, a TID record key when none is given, the record key and record checked against
 * the collection's lexicon as the `validate` parameter asks (true: a schema must exist; undefined: known
 * lexicons are checked and unknown NSIDs accepted as 'unknown'; false: no schema check), the record
 * encoded (DAG-CBOR, at most {@link MAX_RECORD_BYTES}) and its blob references collected.
 *
 * Does NOT check that blobs exist or that the record key is free (the write transaction does).
 * Failures are 400 InvalidRequest with the reason.
 */
import { BlobRef, type CID, type LexMap, encodeBlock, toBlobRef } from '@stratus/core/data'
import type { LexRecord, Lexicons } from '@stratus/core/lexicon'
import { isValidNsid, isValidRecordKey, isValidTid, nextTid } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'

/** Largest encoded record (the firehose's per-record limit). */
export const MAX_RECORD_BYTES = 1_000_000

export type ValidationStatus = 'valid' | 'unknown'

export interface PreparedRecordWrite {
  action: 'create' | 'update'
  collection: string
  rkey: string
  record: LexMap
  cid: CID
  bytes: Uint8Array
  blobs: BlobRef[]
  /** undefined when validation was skipped (validate: false). */
  validationStatus: ValidationStatus | undefined
  /** Compare-and-swap: undefined = no check; null = the record must not exist; a CID = it must be that. */
  swapCid?: CID | null
}

export interface PreparedDelete {
  action: 'delete'
  collection: string
  rkey: string
  swapCid?: CID | null
}

export type PreparedWrite = PreparedRecordWrite | PreparedDelete

export interface RecordWriteInput {
  action: 'create' | 'update'
  collection: string
  rkey?: string
  record: unknown
  validate?: boolean
  swapCid?: CID | null
}

export function prepareRecordWrite(lexicons: Lexicons, input: RecordWriteInput): PreparedRecordWrite {
  const { action, collection } = input
  if (!isValidNsid(collection)) throw new InvalidRequestError(`Invalid collection NSID: ${collection}`)
  if (input.rkey !== undefined && !isValidRecordKey(input.rkey))
    throw new InvalidRequestError(`Invalid record key: ${input.rkey}`)
  const rkey = input.rkey || nextTid()
  const record = withType(input.record, collection)
  const validationStatus = validateRecord(lexicons, collection, rkey, record, input.validate)
  let block: { cid: CID; bytes: Uint8Array }
  try {
    block = encodeBlock(record)
  } catch (err) {
    throw new InvalidRequestError(`Invalid ${collection} record: ${(err as Error).message}`)
  }
  if (block.bytes.length > MAX_RECORD_BYTES) {
    throw new InvalidRequestError(`Record too large: ${block.bytes.length} bytes (limit ${MAX_RECORD_BYTES})`)
  }
  return {
    action,
    collection,
    rkey,
    record,
    cid: block.cid,
    bytes: block.bytes,
    blobs: blobRefs(record),
    validationStatus,
    swapCid: input.swapCid,
  }
}

export function prepareDelete(input: { collection: string; rkey: string; swapCid?: CID | null }): PreparedDelete {
  if (!isValidNsid(input.collection)) throw new InvalidRequestError(`Invalid collection NSID: ${input.collection}`)
  if (!isValidRecordKey(input.rkey)) throw new InvalidRequestError(`Invalid record key: ${input.rkey}`)
  return { action: 'delete', collection: input.collection, rkey: input.rkey, swapCid: input.swapCid }
}

function isMap(v: unknown): v is LexMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** The record with `$type` set to the collection (added if missing; must match if present). */
function withType(record: unknown, collection: string): LexMap {
  if (!isMap(record)) throw new InvalidRequestError('Record must be an object')
  if (record.$type === undefined) return { ...record, $type: collection }
  if (record.$type !== collection) {
    throw new InvalidRequestError(`Invalid $type: expected ${collection}, got ${String(record.$type)}`)
  }
  return record
}

function validateRecord(
  lexicons: Lexicons,
  collection: string,
  rkey: string,
  record: LexMap,
  validate?: boolean,
): ValidationStatus | undefined {
  if (validate === false) return undefined
  const def = lexicons.getDef(collection)
  if (def?.type !== 'record') {
    if (validate === true) throw new InvalidRequestError(`Unknown lexicon type: ${collection}`)
    const res = lexicons.validateRecord(collection, record) // data-model shape only, for unknown NSIDs
    if (!res.success) throw new InvalidRequestError(`Invalid ${collection} record: ${res.error.message}`)
    return 'unknown'
  }
  checkKey(collection, (def as LexRecord).key, rkey)
  const res = lexicons.validateRecord(collection, record)
  if (!res.success) throw new InvalidRequestError(`Invalid ${collection} record: ${res.error.message}`)
  return 'valid'
}

/** The record key against the lexicon's `key` ('tid', 'nsid', 'literal:<value>', 'any'). */
function checkKey(collection: string, key: string | undefined, rkey: string): void {
  let ok = true
  if (key === 'tid') ok = isValidTid(rkey)
  else if (key === 'nsid') ok = isValidNsid(rkey)
  else if (key?.startsWith('literal:')) ok = rkey === key.slice('literal:'.length)
  if (!ok) throw new InvalidRequestError(`Invalid record key for ${collection}: ${rkey} (must be ${key})`)
}

/**
 * Every blob reference in a record. Legacy `{cid, mimeType}` references are refused for new writes (as the
 * official PDS does), and so are `$type: 'blob'` objects that are not well-formed blob references.
 */
export function blobRefs(record: unknown): BlobRef[] {
  const out: BlobRef[] = []
  const stack: unknown[] = [record]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v instanceof BlobRef) {
      out.push(v)
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (isMap(v)) {
      if (v.$type === 'blob') {
        const ref = toBlobRef(v)
        if (!ref) throw new InvalidRequestError('Invalid blob reference: needs ref (a raw CID), mimeType and size')
        out.push(ref)
        continue
      }
      if (isLegacyBlob(v)) throw new InvalidRequestError(`Legacy blobs are not allowed (${String(v.cid)})`)
      for (const key in v) stack.push(v[key])
    }
  }
  return out
}

function isLegacyBlob(v: LexMap): boolean {
  const keys = Object.keys(v)
  return keys.length === 2 && typeof v.cid === 'string' && typeof v.mimeType === 'string' && toBlobRef(v) !== null
}
