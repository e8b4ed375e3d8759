/**
 * Identity: DID documents and their atproto fields, did:plc and did:web resolution, handle
 * resolution (DNS TXT and HTTPS well-known), the bidirectional handle check, a TTL cache with
 * stale-while-revalidate, and a fetch wrapper with timeouts, size caps, redirect and
 * private-address policy. DNS and fetch are injectable. Browser-safe (DNS via #platform/dns).
 */
export type { DidDocument, VerificationMethod, Service, AtprotoData } from './did-document.ts'
export {
  parseDidDocument,
  getHandle,
  getSigningKey,
  getVerificationKey,
  getServiceEndpoint,
  getPdsEndpoint,
  parseAtprotoData,
} from './did-document.ts'
export {
  IdentityError,
  PoorlyFormattedDidError,
  UnsupportedDidMethodError,
  PoorlyFormattedDidDocumentError,
  DidNotFoundError,
  HandleNotFoundError,
  FetchError,
  MissingAtprotoDataError,
} from './errors.ts'
export { SwrCache } from './cache.ts'
export type { CacheOptions } from './cache.ts'
export type { DnsResolver } from './dns.ts'
export { platformDns } from './dns.ts'
export { safeFetch, assertFetchable } from './safe-fetch.ts'
export type { SafeFetchOptions, SafeResponse } from './safe-fetch.ts'
export { isPrivateAddress, isIpLiteral, parseIPv4, parseIPv6 } from './ip.ts'
export { isResolvableHostname } from './hostname.ts'
export { DidResolver, didWebUrl, DEFAULT_PLC_URL } from './did-resolver.ts'
export type { DidResolverOptions, NetworkOptions } from './did-resolver.ts'
export { HandleResolver } from './handle-resolver.ts'
export type { HandleResolverOptions } from './handle-resolver.ts'
export { IdResolver } from './identity-resolver.ts'
export type { Identity, IdResolverOptions } from './identity-resolver.ts'
