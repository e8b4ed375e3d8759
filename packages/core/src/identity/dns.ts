/**
 * The injectable DNS interface. The default uses node:dns/promises on Node and is unavailable in
 * browsers (handle resolution then uses HTTPS only).
 */
import { dnsAvailable, lookupAddresses, resolveTxt } from '#platform/dns'

export interface DnsResolver {
  /** TXT records at `name`, one string per record; [] when there are none. */
  resolveTxt(name: string): Promise<string[]>
  /** Addresses `host` resolves to; null when this platform cannot tell. */
  lookup(host: string): Promise<string[] | null>
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** The platform resolver, or null in browsers. */
export function platformDns(timeoutMs = 3000): DnsResolver | null {
  if (!dnsAvailable) return null
  return {
    resolveTxt: (name) => withTimeout(resolveTxt(name, timeoutMs), timeoutMs, `DNS TXT ${name}`),
    lookup: (host) => withTimeout(lookupAddresses(host), timeoutMs, `DNS lookup ${host}`),
  }
}

export { withTimeout }
