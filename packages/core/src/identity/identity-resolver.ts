/**
 * The bidirectional check: a handle is only trusted when it resolves to a DID whose document
 * claims that same handle back (first valid `at://` alias). Otherwise the identity's handle is
 * the special value `handle.invalid`. Both directions go through the resolvers' caches.
 */
import { INVALID_HANDLE, isValidDid, isValidHandle, normalizeHandle } from '../syntax/index.ts'
import type { CacheOptions } from './cache.ts'
import type { DidDocument } from './did-document.ts'
import { getHandle, getPdsEndpoint, getSigningKey } from './did-document.ts'
import { DidResolver } from './did-resolver.ts'
import type { DidResolverOptions } from './did-resolver.ts'
import { HandleNotFoundError, IdentityError } from './errors.ts'
import { HandleResolver } from './handle-resolver.ts'

export interface Identity {
  did: string
  /** Verified handle, or 'handle.invalid'. */
  handle: string
  doc: DidDocument
  signingKey: string | undefined
  pds: string | undefined
}

export interface IdResolverOptions extends Omit<DidResolverOptions, 'cache'> {
  didCache?: CacheOptions | false
  handleCache?: CacheOptions | false
  maxRedirects?: number
}

export class IdResolver {
  readonly did: DidResolver
  readonly handle: HandleResolver

  constructor(opts: IdResolverOptions = {}) {
    const { didCache, handleCache, maxRedirects, ...net } = opts
    this.did = new DidResolver({ ...net, cache: didCache })
    this.handle = new HandleResolver({ ...net, cache: handleCache, maxRedirects })
  }

  /** True if `handle` resolves to `did` and `did`'s document claims `handle`. */
  async verifyHandle(did: string, handle: string, opts: { forceRefresh?: boolean } = {}): Promise<boolean> {
    const h = normalizeHandle(handle)
    const [resolved, doc] = await Promise.all([this.handle.resolve(h, opts), this.did.resolve(did, opts)])
    return resolved === did && doc !== null && getHandle(doc) === h
  }

  /** Resolves a DID or handle to a DID document with a bidirectionally verified handle. */
  async resolveIdentity(identifier: string, opts: { forceRefresh?: boolean } = {}): Promise<Identity> {
    let did: string
    let expected: string | undefined
    if (identifier.startsWith('did:')) {
      if (!isValidDid(identifier)) throw new IdentityError(`Invalid DID: ${identifier.slice(0, 100)}`)
      did = identifier
    } else {
      const h = normalizeHandle(identifier)
      if (!isValidHandle(h)) throw new IdentityError(`Invalid handle: ${identifier.slice(0, 100)}`)
      const found = await this.handle.resolve(h, opts)
      if (!found) throw new HandleNotFoundError(h)
      did = found
      expected = h
    }
    const doc = await this.did.ensureResolve(did, opts.forceRefresh)
    const claimed = getHandle(doc)
    let handle = INVALID_HANDLE
    if (claimed && (expected === undefined || claimed === expected)) {
      const back = expected === undefined ? await this.handle.resolve(claimed, opts) : did
      if (back === did) handle = claimed
    }
    return { did, handle, doc, signingKey: getSigningKey(doc), pds: getPdsEndpoint(doc) }
  }
}
