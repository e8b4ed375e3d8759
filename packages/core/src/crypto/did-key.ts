/**
 * did:key and multikey strings for k256 and p256 public keys: 'z' (base58btc multibase) + varint multicodec
 * (secp256k1-pub 0xe7, p256-pub 0x1200) + the 33-byte compressed point. Parsing also accepts 65-byte
 * uncompressed points and returns them compressed; every parsed point is checked to lie on its curve.
 * Also reads the legacy DID-document key forms (EcdsaSecp256k1VerificationKey2019 and
 * EcdsaSecp256r1VerificationKey2019: multibase of the bare point, no multicodec).
 * Does not check anything about how the key is used (that is identity/ and plc/).
 */
import { concat, decodeVarint, encodeVarint, fromBase58btc, toBase58btc } from '../bytes/index.ts'
import { type CurveBackends, backendFor, platformBackends } from './backend.ts'
import { type CurveInfo, type JwtAlg, K256, P256, curveForAlg } from './curves.ts'
import { InvalidKeyError } from './errors.ts'

export const DID_KEY_PREFIX = 'did:key:'

/** 'z' + base58 of at most 2 + 65 bytes is about 93 characters; anything much longer is not a key. */
const MAX_MULTIBASE_LENGTH = 128

export interface ParsedKey {
  jwtAlg: JwtAlg
  /** Compressed 33-byte point. */
  keyBytes: Uint8Array
}

const PREFIXES = new Map<JwtAlg, Uint8Array>([
  ['ES256K', encodeVarint(K256.multicodec)],
  ['ES256', encodeVarint(P256.multicodec)],
])

/** Parses `did:key:z…` into its algorithm and compressed public key. Throws InvalidKeyError. */
export function parseDidKey(didKey: string, backends: CurveBackends = platformBackends): ParsedKey {
  if (typeof didKey !== 'string' || !didKey.startsWith(DID_KEY_PREFIX)) {
    throw new InvalidKeyError('did:key must start with "did:key:"')
  }
  return parseMultikey(didKey.slice(DID_KEY_PREFIX.length), backends)
}

/** Parses the multikey form (`publicKeyMultibase` of a Multikey verification method). */
export function parseMultikey(multibase: string, backends: CurveBackends = platformBackends): ParsedKey {
  const bytes = decodeMultibase(multibase)
  let code: number
  let len: number
  try {
    ;[code, len] = decodeVarint(bytes)
  } catch {
    throw new InvalidKeyError('multikey has no valid multicodec prefix')
  }
  const c = code === K256.multicodec ? K256 : code === P256.multicodec ? P256 : null
  if (c === null) throw new InvalidKeyError(`unsupported multikey type 0x${code.toString(16)}`)
  return { jwtAlg: c.jwtAlg, keyBytes: compressPoint(c, bytes.subarray(len), backends) }
}

export function formatDidKey(jwtAlg: JwtAlg | string, keyBytes: Uint8Array): string {
  return DID_KEY_PREFIX + formatMultikey(jwtAlg, keyBytes)
}

/** Formats a public key (33-byte compressed or 65-byte uncompressed) as a multikey string. */
export function formatMultikey(
  jwtAlg: JwtAlg | string,
  keyBytes: Uint8Array,
  backends: CurveBackends = platformBackends,
): string {
  const c = curveForAlg(jwtAlg)
  const point = compressPoint(c, keyBytes, backends)
  return `z${toBase58btc(concat([PREFIXES.get(c.jwtAlg) as Uint8Array, point]))}`
}

/** Formats a compressed public key already known to be valid (our own key pairs): no curve check. */
export function formatTrustedDidKey(c: CurveInfo, compressed: Uint8Array): string {
  return `${DID_KEY_PREFIX}z${toBase58btc(concat([PREFIXES.get(c.jwtAlg) as Uint8Array, compressed]))}`
}

const LEGACY_TYPES: Record<string, CurveInfo> = {
  EcdsaSecp256k1VerificationKey2019: K256,
  EcdsaSecp256r1VerificationKey2019: P256,
}

/**
 * Reads the key of a DID-document verification method: `Multikey` (multicodec-prefixed) or one of the two
 * legacy suites (bare point, compressed or not). Throws InvalidKeyError for other types or bad keys.
 */
export function parseDidDocKey(
  type: string,
  publicKeyMultibase: string,
  backends: CurveBackends = platformBackends,
): ParsedKey {
  if (type === 'Multikey') return parseMultikey(publicKeyMultibase, backends)
  const c = Object.hasOwn(LEGACY_TYPES, type) ? LEGACY_TYPES[type] : undefined
  if (c === undefined) throw new InvalidKeyError(`unsupported verification method type: ${String(type)}`)
  return { jwtAlg: c.jwtAlg, keyBytes: compressPoint(c, decodeMultibase(publicKeyMultibase), backends) }
}

function decodeMultibase(multibase: string): Uint8Array {
  if (typeof multibase !== 'string' || multibase[0] !== 'z') {
    throw new InvalidKeyError('multikey must be base58btc multibase (start with "z")')
  }
  if (multibase.length > MAX_MULTIBASE_LENGTH) throw new InvalidKeyError('multikey is too long')
  try {
    return fromBase58btc(multibase.slice(1))
  } catch {
    throw new InvalidKeyError('multikey is not valid base58btc')
  }
}

/** Checks the SEC1 shape and that the point is on the curve; returns the compressed form. */
function compressPoint(c: CurveInfo, point: Uint8Array, backends: CurveBackends): Uint8Array {
  const shapeOk =
    point instanceof Uint8Array &&
    ((point.length === 33 && (point[0] === 2 || point[0] === 3)) || (point.length === 65 && point[0] === 4))
  if (!shapeOk) {
    throw new InvalidKeyError(`${c.jwtAlg} public key must be a 33-byte compressed or 65-byte uncompressed point`)
  }
  try {
    return backendFor(c, backends).compress(point)
  } catch {
    throw new InvalidKeyError(`${c.jwtAlg} public key is not a point on the curve`)
  }
}
