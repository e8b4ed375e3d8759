/**
 * Which hostnames identity lookups may target: valid handle syntax, no reserved TLD; `.test` and
 * `localhost` only with the dev flag (they exist only on development networks).
 */
import { DISALLOWED_TLDS, isValidHandle } from '../syntax/index.ts'

function disallowedTld(tld: string): boolean {
  const list = DISALLOWED_TLDS as unknown as Iterable<string>
  for (const t of list) if (t.replace(/^\./, '') === tld) return true
  return false
}

/** True if `host` (lowercase) may be resolved: for handles and did:web hosts. */
export function isResolvableHostname(host: string, allowDev: boolean): boolean {
  if (host === 'localhost') return allowDev
  if (!isValidHandle(host)) return false
  const tld = host.slice(host.lastIndexOf('.') + 1)
  if (tld === 'test') return allowDev
  return !disallowedTld(tld)
}
