/**
 * AT-URIs in the restricted form Lexicon's `at-uri` format accepts (atproto.com/specs/at-uri-scheme):
 * `at://AUTHORITY[/COLLECTION[/RKEY]]`, where AUTHORITY is a DID or handle, COLLECTION an NSID and RKEY a record key;
 * ASCII only, at most 8 KB. Query (`?`) and fragment (`#`) parts, trailing slashes, empty or extra path segments
 * are rejected, as the spec says they are not supported in current Lexicon use. Percent-encoding is never decoded:
 * none of the components allow `%` except a DID, where it is kept as-is.
 * Does NOT resolve the authority or check that the record exists.
 */
import { type AtIdentifier, isValidAtIdentifier } from './at-identifier.ts'
import { type Did, isDidAt } from './did.ts'
import { InvalidSyntaxError } from './errors.ts'
import { isHandleAt } from './handle.ts'
import { type Nsid, isNsidAt, isValidNsid } from './nsid.ts'
import { type RecordKey, isRecordKeyAt, isValidRecordKey } from './record-key.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidAtUri}. */
export type AtUriString = string & { readonly [brand]: 'AtUriString' }

export const AT_URI_MAX_LENGTH = 8192
const PREFIX = 'at://'
const P = PREFIX.length

// Component boundaries found by the last successful scan() (module scratch: avoids allocating a result object).
let authEnd = 0
let collEnd = 0

/** Validates each component in place (no substrings): the hot path allocates nothing. */
function scan(s: string): boolean {
  if (typeof s !== 'string' || s.length > AT_URI_MAX_LENGTH || !s.startsWith(PREFIX)) return false
  const a = s.indexOf('/', P)
  authEnd = a === -1 ? s.length : a
  collEnd = authEnd
  const authority = s.startsWith('did:', P) ? isDidAt(s, P, authEnd) : isHandleAt(s, P, authEnd)
  if (!authority) return false
  if (a === -1) return true
  const c = s.indexOf('/', a + 1)
  collEnd = c === -1 ? s.length : c
  if (!isNsidAt(s, a + 1, collEnd)) return false
  return c === -1 || isRecordKeyAt(s, c + 1, s.length)
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
    const host = s.slice(P, authEnd) as AtIdentifier
    if (authEnd === s.length) return new AtUri(s, host)
    const collection = s.slice(authEnd + 1, collEnd) as Nsid
    if (collEnd === s.length) return new AtUri(s, host, collection)
    return new AtUri(s, host, collection, s.slice(collEnd + 1) as RecordKey)
  }

  /** Validates each part; a record key needs a collection. */
  static make(host: string, collection?: string, rkey?: string): AtUri {
    if (!isValidAtIdentifier(host)) throw new InvalidSyntaxError('at-uri', host, 'authority is not a DID or handle')
    if (collection === undefined || collection === '') {
      if (rkey !== undefined && rkey !== '')
        throw new InvalidSyntaxError('at-uri', rkey, 'record key without collection')
      return new AtUri(`${PREFIX}${host}` as AtUriString, host)
    }
    if (!isValidNsid(collection)) throw new InvalidSyntaxError('at-uri', collection, 'collection is not a valid NSID')
    if (rkey === undefined || rkey === '')
      return new AtUri(`${PREFIX}${host}/${collection}` as AtUriString, host, collection)
    if (!isValidRecordKey(rkey)) throw new InvalidSyntaxError('at-uri', rkey, 'not a valid record key')
    return new AtUri(`${PREFIX}${host}/${collection}/${rkey}` as AtUriString, host, collection, rkey)
  }

  /** The authority when it is a DID; throws when the URI names a handle. */
  get did(): Did {
    if (!this.host.startsWith('did:'))
      throw new InvalidSyntaxError('at-uri', this.#str, 'authority is a handle, not a DID')
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
  const parts = s.slice(P).split('/')
  if (parts.length > 3) return 'at most two path segments (collection and record key) are allowed'
  if (!isValidAtIdentifier(parts[0])) return 'authority is not a valid DID or handle'
  if (parts.length > 1 && !isValidNsid(parts[1])) return 'collection is not a valid NSID'
  return 'record key is not valid'
}
