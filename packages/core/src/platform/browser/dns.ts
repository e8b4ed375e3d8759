/**
 * Browsers have no DNS API: TXT lookups are unavailable (handle resolution uses HTTPS only) and
 * host addresses are unknown (null), so private-address checks fall back to literal hosts.
 */
export const dnsAvailable = false

export async function resolveTxt(_name: string, _timeoutMs: number): Promise<string[]> {
  throw new Error('DNS TXT lookups are not available in browsers')
}

export async function lookupAddresses(_host: string): Promise<string[] | null> {
  return null
}
