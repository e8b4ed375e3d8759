/**
 * atproto identifiers and Lexicon string formats: validators (`isValid*` returns a boolean and narrows to a branded
 * type; `ensureValid*` throws {@link InvalidSyntaxError} with the reason), parsers, and TID generation.
 * Syntax only: nothing here resolves DIDs or handles, looks up lexicons, or decodes CIDs.
 */
export { InvalidSyntaxError, type SyntaxKind } from './errors.ts'
export { type Did, DID_MAX_LENGTH, isValidDid, ensureValidDid } from './did.ts'
export {
  type Handle,
  HANDLE_MAX_LENGTH,
  INVALID_HANDLE,
  DISALLOWED_TLDS,
  isValidHandle,
  ensureValidHandle,
  normalizeHandle,
  normalizeAndEnsureValidHandle,
  isValidTld,
} from './handle.ts'
export {
  type Nsid,
  type ParsedNsid,
  NSID_MAX_LENGTH,
  isValidNsid,
  ensureValidNsid,
  parseNsid,
  makeNsid,
} from './nsid.ts'
export { type AtIdentifier, isValidAtIdentifier, ensureValidAtIdentifier, isDidIdentifier } from './at-identifier.ts'
export { type RecordKey, RECORD_KEY_MAX_LENGTH, isValidRecordKey, ensureValidRecordKey } from './record-key.ts'
export { type AtUriString, AT_URI_MAX_LENGTH, AtUri, isValidAtUri, ensureValidAtUri } from './at-uri.ts'
export {
  type TidString,
  TID_LENGTH,
  isValidTid,
  ensureValidTid,
  nextTid,
  tidFromTime,
  tidTimestamp,
  tidClockId,
  compareTids,
} from './tid.ts'
export { type CidString, isValidCidString, ensureValidCidString } from './cid-string.ts'
export {
  type DatetimeString,
  DATETIME_MAX_LENGTH,
  isValidDatetime,
  ensureValidDatetime,
  parseDatetime,
  toDatetimeString,
  datetimeNow,
} from './datetime.ts'
export { type LanguageTag, isValidLanguage, ensureValidLanguage, parseLanguage } from './language.ts'
export { type UriString, URI_MAX_BYTES, isValidUri, ensureValidUri } from './uri.ts'
