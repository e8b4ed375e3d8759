/**
 * Which handles this PDS hands out: valid handle syntax, normalized to lowercase, a TLD that may be
 * registered, ending in one of the configured service domains, with a single label of 3-18 characters
 * in front of it that is not reserved. Errors use the names in com.atproto.server.createAccount's lexicon
 * (InvalidHandle, UnsupportedDomain, HandleNotAvailable). Does NOT check whether the handle is taken
 * (that is the account table's job) and does not resolve external domains (part 2, bring-your-own handle).
 */
import { InvalidSyntaxError, isValidTld, normalizeAndEnsureValidHandle } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'

/** Names that would impersonate the service or the protocol, or that people expect to be official. */
const RESERVED = new Set(
  [
    'admin administrator root system sysadmin staff team official mod moderator moderation support help',
    'helpdesk security abuse postmaster hostmaster webmaster noreply no-reply mail email smtp www web ftp',
    'ns1 ns2 dns api xrpc oauth auth login logout signin signup register account accounts settings status',
    'about blog docs dev app apps static assets cdn media video images feed feeds relay appview labeler',
    'ozone pds plc did atproto at atp lexicon nsid repo bsky bluesky stratus handle invalid null',
    'undefined',
  ]
    .join(' ')
    .split(' '),
)

export function isReservedName(label: string): boolean {
  return RESERVED.has(label.toLowerCase())
}

/** The normalized handle, or an XRPC error naming what is wrong. */
export function validateServiceHandle(input: unknown, domains: readonly string[]): string {
  if (typeof input !== 'string') throw new InvalidRequestError('handle is required', 'InvalidHandle')
  let handle: string
  try {
    handle = normalizeAndEnsureValidHandle(input)
  } catch (err) {
    if (err instanceof InvalidSyntaxError) throw new InvalidRequestError(err.message, 'InvalidHandle')
    throw err
  }
  if (!isValidTld(handle)) throw new InvalidRequestError('Handle TLD is invalid or disallowed', 'InvalidHandle')
  const domain = domains.find((d) => handle.endsWith(d))
  if (!domain) throw new InvalidRequestError(`Handle must end in one of: ${domains.join(', ')}`, 'UnsupportedDomain')
  const front = handle.slice(0, handle.length - domain.length)
  if (front.includes('.')) throw new InvalidRequestError('Invalid characters in handle', 'InvalidHandle')
  if (front.length < 3) throw new InvalidRequestError('Handle too short', 'InvalidHandle')
  if (front.length > 18) throw new InvalidRequestError('Handle too long', 'InvalidHandle')
  if (isReservedName(front)) throw new InvalidRequestError('Reserved handle', 'HandleNotAvailable')
  return handle
}
