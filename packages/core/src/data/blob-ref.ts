/**
 * Blob references: `{$type: 'blob', ref: CID(raw), mimeType, size}`, and the legacy `{cid, mimeType}` form
 * that old records still carry. A BlobRef made from the legacy form remembers it (`original`) and encodes
 * back to it, so re-encoding an old record never changes its CID.
 *
 * Checks: the shape (exact keys, types), non-empty mimeType, size a non-negative safe integer, ref a raw CID.
 * Does NOT check that the mimeType is a registered media type or that the blob exists.
 */
import { CID, RAW } from './cid.ts'

export type LegacyBlobJson = { cid: string; mimeType: string }
export type TypedBlobJson = { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number }

export class BlobRef {
  readonly ref: CID
  readonly mimeType: string
  /** Bytes; -1 when only the legacy form (which has no size) is known. */
  readonly size: number
  /** The legacy form this ref was read from, if any. */
  readonly original: LegacyBlobJson | undefined

  constructor(ref: CID, mimeType: string, size: number, original?: LegacyBlobJson) {
    this.ref = ref
    this.mimeType = mimeType
    this.size = size
    this.original = original
  }

  /** The data-model map this ref encodes as (CBOR form: `ref` is a CID). */
  toDataModel(): { $type: 'blob'; ref: CID; mimeType: string; size: number } | LegacyBlobJson {
    if (this.original) return { cid: this.original.cid, mimeType: this.original.mimeType }
    return { $type: 'blob', ref: this.ref, mimeType: this.mimeType, size: this.size }
  }

  /** The JSON form. */
  toJSON(): TypedBlobJson | LegacyBlobJson {
    if (this.original) return { cid: this.original.cid, mimeType: this.original.mimeType }
    return { $type: 'blob', ref: { $link: this.ref.toString() }, mimeType: this.mimeType, size: this.size }
  }
}

export function isBlobRef(v: unknown): v is BlobRef {
  return v instanceof BlobRef
}

/**
 * A BlobRef from a BlobRef, a typed blob map (`ref` as a CID or a `{$link}` object), or a legacy
 * `{cid, mimeType}` map; null if `obj` is none of these.
 */
export function toBlobRef(obj: unknown): BlobRef | null {
  if (obj instanceof BlobRef) return obj
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null
  const o = obj as Record<string, unknown>
  if (o.$type === 'blob') return typedBlob(o)
  if (typeof o.cid === 'string') return legacyBlob(o)
  return null
}

function typedBlob(o: Record<string, unknown>): BlobRef | null {
  const { ref, mimeType, size } = o
  if (typeof mimeType !== 'string' || mimeType.length === 0) return null
  if (!Number.isSafeInteger(size) || (size as number) < 0) return null
  let n = 0
  for (const key in o) {
    if (key !== '$type' && key !== 'ref' && key !== 'mimeType' && key !== 'size') return null
    n++
  }
  if (n !== 4) return null
  const cid = refCid(ref)
  if (!cid || cid.code !== RAW) return null
  return new BlobRef(cid, mimeType, size as number)
}

function refCid(ref: unknown): CID | null {
  const cid = CID.asCID(ref)
  if (cid) return cid
  if (typeof ref !== 'object' || ref === null) return null
  const link = (ref as { $link?: unknown }).$link
  if (typeof link !== 'string' || Object.keys(ref).length !== 1) return null
  try {
    return CID.parse(link)
  } catch {
    return null
  }
}

function legacyBlob(o: Record<string, unknown>): BlobRef | null {
  const { cid, mimeType } = o
  if (typeof cid !== 'string' || typeof mimeType !== 'string' || mimeType.length === 0) return null
  for (const key in o) if (key !== 'cid' && key !== 'mimeType') return null
  let ref: CID
  try {
    ref = CID.parse(cid)
  } catch {
    return null
  }
  return new BlobRef(ref, mimeType, -1, { cid, mimeType })
}
