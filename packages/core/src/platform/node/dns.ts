import { Resolver, lookup } from 'node:dns/promises'

/** DNS on Node: TXT through c-ares with a per-query timeout, addresses through getaddrinfo. */
export const dnsAvailable = true

const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA', 'ENOTIMP', 'NXDOMAIN'])

/** TXT records at `name`, each record's character-strings joined; [] when the name has none. */
export async function resolveTxt(name: string, timeoutMs: number): Promise<string[]> {
  const resolver = new Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 })
  try {
    const records = await resolver.resolveTxt(name)
    return records.map((chunks) => chunks.join(''))
  } catch (err) {
    if (NO_ANSWER.has((err as { code?: string }).code ?? '')) return []
    throw err
  }
}

/**
 * Every address `host` resolves to, the way fetch will resolve it (getaddrinfo, /etc/hosts
 * included), so the private-address check sees what the connection would use.
 */
export async function lookupAddresses(host: string): Promise<string[] | null> {
  const res = await lookup(host, { all: true, verbatim: true })
  return res.map((a) => a.address)
}
