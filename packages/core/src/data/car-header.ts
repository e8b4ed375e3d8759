/** CAR v1 header (`{roots: CID[], version: 1}` as DAG-CBOR) and block verification, shared by readers and writers. */
import { sha256 } from '../bytes/index.ts'
import { decodeCbor } from './cbor-decode.ts'
import { encodeCbor } from './cbor-encode.ts'
import { CID, SHA256 } from './cid.ts'
import { CarError } from './errors.ts'

export type CarReadOptions = {
  /** Largest accepted block section (CID + data), in bytes. Default 8 MiB. */
  maxBlockSize?: number
  /** Largest accepted header, in bytes. Default 1 MiB. */
  maxHeaderSize?: number
}

export const DEFAULT_MAX_BLOCK_SIZE = 8 << 20
export const DEFAULT_MAX_HEADER_SIZE = 1 << 20

export function encodeCarHeader(roots: CID[]): Uint8Array {
  for (const r of roots) if (!(r instanceof CID)) throw new CarError('CAR roots must be CIDs')
  return encodeCbor({ roots, version: 1 })
}

/** Decodes and checks header bytes (without the length prefix); returns the roots. */
export function decodeCarHeader(bytes: Uint8Array): CID[] {
  let header: unknown
  try {
    header = decodeCbor(bytes)
  } catch (err) {
    throw new CarError(`invalid CAR header: ${(err as Error).message}`)
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CarError('CAR header must be a map')
  }
  const { version, roots } = header as { version?: unknown; roots?: unknown }
  if (version !== 1) throw new CarError(`unsupported CAR version ${String(version)}`)
  if (!Array.isArray(roots)) throw new CarError('CAR header roots must be an array')
  for (const r of roots) if (!(r instanceof CID)) throw new CarError('CAR header roots must be CIDs')
  return roots as CID[]
}

/** Throws CarError unless `data` hashes to `cid`. */
export function verifyBlock(cid: CID, data: Uint8Array): void {
  if (cid.hashCode !== SHA256)
    throw new CarError(`cannot verify block ${cid}: unsupported hash 0x${cid.hashCode.toString(16)}`)
  const digest = sha256(data)
  const expected = cid.digest
  for (let i = 0; i < 32; i++) {
    if (digest[i] !== expected[i]) throw new CarError(`block ${cid} does not match its CID`)
  }
}
