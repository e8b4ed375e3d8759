/**
 * AT-URIs in the restricted form Lexicon's `at-uri` format accepts (atproto.com/specs/at-uri-scheme):
 * `at://AUTHORITY[/COLLECTION[/RKEY]]`, where AUTHORITY is a DID or handle, COLLECTION an NSID and RKEY a record key;
 * ASCII only, at most 8 KB. Query (`?`) and fragment (`#`) parts, trailing slashes, empty or extra path segments
 * are rejected, as the spec says they are not supported in current Lexicon use. Percent-encoding is never decoded:
 * none of the components allow `%` except a DID, where it is kept as-is.
 * Does NOT resolve the authority or check that the record exists.
 */
import { type AtIdentifier, isValidAtIdentifier } from './at-identifier.ts'
import { DID_MAX_LENGTH, DID_PATTERN, type Did } from './did.ts'
import { InvalidSyntaxError } from './errors.ts'
import { HANDLE_MAX_LENGTH, HANDLE_PATTERN } from './handle.ts'
import { NSID_MAX_LENGTH, NSID_PATTERN, type Nsid, isValidNsid } from './nsid.ts'
import { RECORD_KEY_MAX_LENGTH, type RecordKey, isValidRecordKey } from './record-key.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidAtUri}. */
export type AtUriString = string & { readonly [brand]: 'AtUriString' }

export const AT_URI_MAX_LENGTH = 8192
const PREFIX = 'at://'

// Sticky regexes validate a component in place (from lastIndex up to the next '/' or the end), so the hot
// validator never slices the input into substrings.
const DID_AT = new RegExp(`${DID_PATTERN}(?=/|$)`, 'y')
const HANDLE_AT = new RegExp(`${HANDLE_PATTERN}(?=/|$)`, 'y')
const NSID_AT = new RegExp(`${NSID_PATTERN}(?=/|$)`, 'y')
const RKEY_AT = /[a-zA-Z0-9._:~-]+$/y

// Component boundaries found by the last successful scan() (module scratch: avoids allocating a result object).
let authEnd = 0
let collEnd = 0

function matchAt(re: RegExp, s: string, start: number): boolean {
  re.lastIndex = start
  return re.test(s)
}

function scanAuthority(s: string, end: number): boolean {
  const len = end - PREFIX.length
  if (s.startsWith('did:', PREFIX.length)) return len <= DID_MAX_LENGTH && matchAt(DID_AT, s, PREFIX.length)
  return len <= HANDLE_MAX_LENGTH && matchAt(HANDLE_AT, s, PREFIX.length)
}

function scanRkey(s: string, start: number): boolean {
  const len = s.length - start
  if (len > RECORD_KEY_MAX_LENGTH || !matchAt(RKEY_AT, s, start)) return false
  // '.' and '..' are reserved path segments, not keys.
  return !(s.charCodeAt(start) === 46 && (len === 1 || (len === 2 && s.charCodeAt(start + 1) === 46)))
}

function scan(s: string): boolean {
  if (typeof s !== 'string' || s.length > AT_URI_MAX_LENGTH || !s.startsWith(PREFIX)) return false
  const a = s.indexOf('/', PREFIX.length)
  authEnd = a === -1 ? s.length : a
  collEnd = authEnd
  if (!scanAuthority(s, authEnd)) return false
  if (a === -1) return true
  const c = s.indexOf('/', a + 1)
  collEnd = c === -1 ? s.length : c
  if (collEnd - (a + 1) > NSID_MAX_LENGTH || !matchAt(NSID_AT, s, a + 1)) return false
  return c === -1 || scanRkey(s, c + 1)
}

export function isValidAtUri(s: string): s is AtUriString {
  return scan(s)
}

export function ensureValidAtUri(s: string): asserts s is AtUriString {
  if (!scan(s)) throw new InvalidSyntaxError('at-uri', String(s), atUriProblem(String(s)))
}

/** A parsed, validated AT-URI. Immutable; build new ones with {@link AtUri.make}. */
export class AtUri {
  readonly host: AtIdentifier
  readonly collection?: Nsid
  readonly rkey?: RecordKey
  readonly #str: AtUriString

  private constructor(str: AtUriString, host: AtIdentifier, collection?: Nsid, rkey?: RecordKey) {
    this.#str = str
    this.host = host
    if (collection !== undefined) this.collection = collection
    if (rkey !== undefined) this.rkey = rkey
  }

  static parse(s: string): AtUri {
    ensureValidAtUri(s)
    const host = s.slice(PREFIX.length, authEnd) as AtIdentifier
    if (authEnd === s.length) return new AtUri(s, host)
    const collection = s.slice(authEnd + 1, collEnd) as Nsid
    if (collEnd === s.length) return new AtUri(s, host, collection)
    return new AtUri(s, host, collection, s.slice(collEnd + 1) as RecordKey)
  }

  /** Validates each part; a record key needs a collection. */
  static make(host: string, collection?: string, rkey?: string): AtUri {
    if (!isValidAtIdentifier(host)) throw new InvalidSyntaxError('at-uri', host, 'authority is not a DID or handle')
    if (collection === undefined || collection === '') {
      if (rkey !== undefined && rkey !== '') throw new InvalidSyntaxError('at-uri', rkey, 'record key without collection')
      return new AtUri(`${PREFIX}${host}` as AtUriString, host)
    }
    if (!isValidNsid(collection)) throw new InvalidSyntaxError('at-uri', collection, 'collection is not a valid NSID')
    if (rkey === undefined || rkey === '') return new AtUri(`${PREFIX}${host}/${collection}` as AtUriString, host, collection)
    if (!isValidRecordKey(rkey)) throw new InvalidSyntaxError('at-uri', rkey, 'not a valid record key')
    return new AtUri(`${PREFIX}${host}/${collection}/${rkey}` as AtUriString, host, collection, rkey)
  }

  /** The authority when it is a DID; throws when the URI names a handle. */
  get did(): Did {
    if (!this.host.startsWith('did:')) throw new InvalidSyntaxError('at-uri', this.#str, 'authority is a handle, not a DID')
    return this.host as Did
  }

  /** `at://` + authority: the repository this URI points into. */
  get origin(): AtUriString {
    return `${PREFIX}${this.host}` as AtUriString
  }

  toString(): AtUriString {
    return this.#str
  }

  toJSON(): string {
    return this.#str
  }
}

function atUriProblem(s: string): string {
  if (s.length > AT_URI_MAX_LENGTH) return `longer than ${AT_URI_MAX_LENGTH} characters`
  if (!s.startsWith(PREFIX)) return 'must start with "at://"'
  if (/[?#]/.test(s)) return 'query and fragment parts are not allowed'
  const parts = s.slice(PREFIX.length).split('/')
  if (parts.length > 3) return 'at most two path segments (collection and record key) are allowed'
  if (!isValidAtIdentifier(parts[0])) return 'authority is not a valid DID or handle'
  if (parts.length > 1 && !isValidNsid(parts[1])) return 'collection is not a valid NSID'
  return 'record key is not valid'
}
