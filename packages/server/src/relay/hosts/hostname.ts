/**
 * Which upstream hosts the relay will crawl, and how it reaches them. `normalizeHostname` accepts what
 * `requestCrawl` callers send (a bare hostname, leniently also `https://host/`) and returns the canonical
 * lowercase `host` (plus `:port` in dev mode). Outside dev mode: a public DNS name only — no IP literals,
 * no ports, no `localhost`, `.test`, `.local` or other reserved TLDs; that the name does not resolve to a
 * private address is checked at crawl time (`assertPublicHost`), since DNS can change.
 */
import {
  assertFetchable,
  isIpLiteral,
  isPrivateAddress,
  isResolvableHostname,
  platformDns,
} from '@stratus/core/identity'

export class HostnameError extends Error {
  override name = 'HostnameError'
}

export function normalizeHostname(input: string, dev: boolean): string {
  let s = input.trim().toLowerCase()
  if (s.length === 0 || s.length > 300) throw new HostnameError('hostname is empty or too long')
  const scheme = /^(https?|wss?):\/\//.exec(s)
  if (scheme) s = s.slice(scheme[0].length)
  s = s.replace(/\/+$/, '')
  if (/[/?#@\s\\]/.test(s)) throw new HostnameError(`not a hostname: ${input}`)
  let url: URL
  try {
    url = new URL(`https://${s}`)
  } catch {
    throw new HostnameError(`not a hostname: ${input}`)
  }
  const host = url.hostname.replace(/\.$/, '')
  if (url.port !== '' && !dev) throw new HostnameError('hostname must not include a port')
  const bare = host.startsWith('[') ? host.slice(1, -1) : host
  if (isIpLiteral(bare) || isIpLiteral(host)) {
    if (!dev) throw new HostnameError('IP addresses are not accepted, use a DNS name')
  } else if (!isResolvableHostname(host, dev)) {
    throw new HostnameError(`hostname not allowed: ${host}`)
  }
  if (!dev && isPrivateAddress(bare)) throw new HostnameError('private addresses are not accepted')
  return url.port === '' ? host : `${host}:${url.port}`
}

/** True for hosts reached over plain http/ws: only in dev mode, for loopback, IPs, `.test` names and explicit ports. */
export function usesPlainHttp(hostname: string, dev: boolean): boolean {
  if (!dev) return false
  const host = hostname.replace(/:\d+$/, '')
  return (
    hostname !== host ||
    host === 'localhost' ||
    host.endsWith('.test') ||
    isIpLiteral(host) ||
    isIpLiteral(host.replace(/^\[|\]$/g, ''))
  )
}

/** `https://host` (or `http://host` in dev, see usesPlainHttp). */
export function hostBaseUrl(hostname: string, dev: boolean): string {
  return `${usesPlainHttp(hostname, dev) ? 'http' : 'https'}://${hostname}`
}

/** The subscribeRepos WebSocket URL for a host. */
export function hostStreamUrl(hostname: string, dev: boolean, cursor?: number): string {
  const base = `${usesPlainHttp(hostname, dev) ? 'ws' : 'wss'}://${hostname}/xrpc/com.atproto.sync.subscribeRepos`
  return cursor === undefined ? base : `${base}?cursor=${cursor}`
}

/** Outside dev mode: throws unless the name resolves to public addresses only. */
export async function assertPublicHost(hostname: string, dev: boolean, timeoutMs = 3000): Promise<void> {
  const url = new URL(hostBaseUrl(hostname, dev))
  await assertFetchable(url, { dns: platformDns(timeoutMs), allowPrivateNetwork: dev, timeoutMs })
}
