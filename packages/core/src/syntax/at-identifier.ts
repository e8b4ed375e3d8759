/**
 * at-identifier (Lexicon string format): either a DID or a handle. Anything starting with `did:` is judged as a
 * DID (a handle can never contain `:`), everything else as a handle.
 */
import { type Did, isValidDid } from './did.ts'
import { InvalidSyntaxError } from './errors.ts'
import { type Handle, isValidHandle } from './handle.ts'

export type AtIdentifier = Did | Handle

export function isValidAtIdentifier(s: string): s is AtIdentifier {
  if (typeof s !== 'string') return false
  return s.startsWith('did:') ? isValidDid(s) : isValidHandle(s)
}

export function ensureValidAtIdentifier(s: string): asserts s is AtIdentifier {
  if (!isValidAtIdentifier(s)) {
    const reason = String(s).startsWith('did:') ? 'not a valid DID' : 'not a valid handle (nor a DID)'
    throw new InvalidSyntaxError('at-identifier', String(s), reason)
  }
}

/** True when a valid at-identifier is a DID rather than a handle. */
export function isDidIdentifier(id: AtIdentifier): id is Did {
  return id.startsWith('did:')
}
