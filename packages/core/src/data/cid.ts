/**
 * CIDv1 content identifiers: binary form (as in DAG-CBOR tag 42 and CAR sections) and the base32 string
 * form. A CID keeps only its bytes; the string is computed on first use and cached, the digest is a view.
 *
 * Checks: version 1, minimal varints, digest length matching the multihash header (32 for sha-256).
 * Does NOT check: that the codec is dag-cbor/raw or the hash is sha-256 ("blessed" CIDs) — any CIDv1 is
 * readable so foreign data round-trips; producers here only ever make sha-256 dag-cbor/raw CIDs.
 * CIDv0 is rejected. `decode` does not copy its input.
 */
import { decodeVarint, encodeVarint, sha256 } from '../bytes/index.ts'
import { fromCidString, toCidString } from './cid-string.ts'
import { CidError } from './errors.ts'

export const DAG_CBOR = 0x71
export const RAW = 0x55
export const SHA256 = 0x12

const MAX_DIGEST = 128

export class CID {
  readonly version = 1 as const
  /** Multicodec of the content: 0x71 dag-cbor or 0x55 raw. */
  readonly code: number
  /** The binary CID (no multibase prefix). */
  readonly bytes: Uint8Array
  #str: string | undefined

  private constructor(code: number, bytes: Uint8Array, str?: string) {
    this.code = code
    this.bytes = bytes
    this.#str = str
  }

  /** Multihash function code (0x12 for sha-256). */
  get hashCode(): number {
    const b = this.bytes
    if (b[2] === SHA256 && b[3] === 32 && b.length === 36) return SHA256
    return layout(b).hashCode
  }

  /** The hash digest (a view into `bytes`). */
  get digest(): Uint8Array {
    const b = this.bytes
    if (b[2] === SHA256 && b[3] === 32 && b.length === 36) return b.subarray(4)
    return b.subarray(layout(b).digestStart)
  }

  /** The base32 string form, 'b…'. */
  toString(): string {
    let s = this.#str
    if (s === undefined) {
      s = toCidString(this.bytes)
      this.#str = s
    }
    return s
  }

  /** JSON.stringify of a CID gives its atproto JSON form. */
  toJSON(): { $link: string } {
    return { $link: this.toString() }
  }

  equals(other: CID | null | undefined): boolean {
    if (other === this) return true
    if (!other) return false
    const a = this.bytes
    const b = other.bytes
    if (a.length !== b.length) return false
    // Digests differ early in the last bytes as much as the first; compare from the end.
    for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false
    return true
  }

  /** Parses the base32 string form; throws CidError. */
  static parse(s: string): CID {
    if (typeof s !== 'string') throw new CidError('CID string expected')
    let bytes: Uint8Array
    try {
      bytes = fromCidString(s)
    } catch (err) {
      throw new CidError(`invalid CID string: ${(err as Error).message}`)
    }
    // Strict base32 decoding means the input is the canonical string: cache it as is.
    return new CID(checkBytes(bytes), bytes, s)
  }

  /** Reads a binary CID (exactly the given bytes; not copied); throws CidError. */
  static decode(bytes: Uint8Array): CID {
    if (!(bytes instanceof Uint8Array)) throw new CidError('CID bytes must be a Uint8Array')
    return new CID(checkBytes(bytes), bytes)
  }

  /** A CIDv1 from a codec and a digest (sha-256 unless `hashCode` says otherwise). */
  static create(code: number, digest: Uint8Array, hashCode: number = SHA256): CID {
    if (hashCode === SHA256 && digest.length !== 32) throw new CidError('sha-256 digest must be 32 bytes')
    if (!(code >= 0 && hashCode >= 0 && Number.isSafeInteger(code) && Number.isSafeInteger(hashCode))) {
      throw new CidError('codec and hash codes must be non-negative integers')
    }
    if (!(digest instanceof Uint8Array) || digest.length > MAX_DIGEST)
      throw new CidError('digest must be at most 128 bytes')
    if (code < 0x80 && hashCode < 0x80 && digest.length < 0x80) {
      const bytes = new Uint8Array(4 + digest.length)
      bytes[0] = 1
      bytes[1] = code
      bytes[2] = hashCode
      bytes[3] = digest.length
      bytes.set(digest, 4)
      return new CID(code, bytes)
    }
    const parts = [encodeVarint(1), encodeVarint(code), encodeVarint(hashCode), encodeVarint(digest.length), digest]
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let off = 0
    for (const p of parts) {
      bytes.set(p, off)
      off += p.length
    }
    return new CID(checkBytes(bytes), bytes)
  }

  /** `v` if it is a CID; a CID made from a multiformats-style CID object; otherwise null. */
  static asCID(v: unknown): CID | null {
    if (v instanceof CID) return v
    if (typeof v !== 'object' || v === null) return null
    const o = v as { bytes?: unknown; version?: unknown; asCID?: unknown; '/'?: unknown }
    if (!(o.bytes instanceof Uint8Array) || o.version !== 1) return null
    if (o.asCID !== v && o['/'] !== o.bytes) return null
    try {
      return CID.decode(o.bytes)
    } catch {
      return null
    }
  }
}

/** Validates binary CID bytes and returns the codec. */
function checkBytes(b: Uint8Array): number {
  // Fast path: the 36-byte sha-256 CIDs every atproto producer writes.
  if (b.length === 36 && b[0] === 1 && b[2] === SHA256 && b[3] === 32 && b[1] < 0x80) return b[1]
  return layout(b).code
}

type Layout = { code: number; hashCode: number; digestStart: number }

function layout(b: Uint8Array): Layout {
  if (b.length === 0) throw new CidError('empty CID')
  if (b[0] === SHA256 && b[1] === 32) throw new CidError('CIDv0 is not supported')
  try {
    const [version, n1] = decodeVarint(b, 0)
    if (version !== 1) throw new CidError(`unsupported CID version ${version}`)
    const [code, n2] = decodeVarint(b, n1)
    const [hashCode, n3] = decodeVarint(b, n1 + n2)
    const [len, n4] = decodeVarint(b, n1 + n2 + n3)
    const digestStart = n1 + n2 + n3 + n4
    if (len > MAX_DIGEST) throw new CidError('CID digest too long')
    if (hashCode === SHA256 && len !== 32) throw new CidError('sha-256 CID digest must be 32 bytes')
    if (b.length !== digestStart + len) throw new CidError('CID length does not match its digest length')
    return { code, hashCode, digestStart }
  } catch (err) {
    if (err instanceof CidError) throw err
    throw new CidError(`malformed CID: ${(err as Error).message}`)
  }
}

/** CID (dag-cbor, sha-256) of encoded DAG-CBOR bytes. */
export function cidForCbor(bytes: Uint8Array): CID {
  return CID.create(DAG_CBOR, sha256(bytes))
}

/** CID (raw, sha-256) of arbitrary bytes, e.g. a blob. */
export function cidForRaw(bytes: Uint8Array): CID {
  return CID.create(RAW, sha256(bytes))
}

/**
 * Byte length of the binary CID that starts at `offset` (as in a CAR section, where the CID is not
 * length-prefixed). Throws CidError if the header is malformed; does not check that the bytes are present.
 */
export function cidLengthAt(b: Uint8Array, offset: number): number {
  if (b[offset] === 1 && b[offset + 2] === SHA256 && b[offset + 3] === 32 && b[offset + 1] < 0x80) return 36
  if (b[offset] === SHA256 && b[offset + 1] === 32) throw new CidError('CIDv0 is not supported')
  try {
    let pos = offset
    for (let field = 0; field < 3; field++) {
      const [value, n] = decodeVarint(b, pos)
      if (field === 0 && value !== 1) throw new CidError(`unsupported CID version ${value}`)
      pos += n
    }
    const [len, n] = decodeVarint(b, pos)
    if (len > MAX_DIGEST) throw new CidError('CID digest too long')
    return pos + n + len - offset
  } catch (err) {
    if (err instanceof CidError) throw err
    throw new CidError(`malformed CID: ${(err as Error).message}`)
  }
}
