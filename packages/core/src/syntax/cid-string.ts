/**
 * Lexicon `cid` strings, checked as syntax only (atproto.com/specs/lexicon, string formats; data-model for CIDs):
 * 8-256 characters of ASCII letters, digits, `+` and `=` (covering the multibase alphabets CIDs are written in),
 * and not a legacy CIDv0 (`Qm…`), which atproto does not support. Does NOT decode the multibase, nor check the
 * CID version, codec or hash — parse with the data module's `CID.parse` for that.
 */
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidCidString}. */
export type CidString = string & { readonly [brand]: 'CidString' }

const CID_RE = /^[a-zA-Z0-9+=]{8,256}$/

export function isValidCidString(s: string): s is CidString {
  // A CIDv0 is base58btc of a sha-256 multihash, which always starts "Qm"; no multibase prefix is 'Q'.
  return typeof s === 'string' && CID_RE.test(s) && !s.startsWith('Qm')
}

export function ensureValidCidString(s: string): asserts s is CidString {
  if (isValidCidString(s)) return
  const str = String(s)
  let reason = 'must be 8-256 characters of ASCII letters, digits, "+" and "="'
  if (CID_RE.test(str)) reason = 'CIDv0 ("Qm…") is not supported'
  throw new InvalidSyntaxError('cid', str, reason)
}
