/**
 * The identity lookups the sync kit needs: an account's signing key and PDS (from its DID document, cached)
 * and its handle, checked both ways (the handle resolves to the DID and the DID document claims the
 * handle). Handle resolution is pluggable because test networks use names no DNS knows.
 */
import {
  DidResolver,
  type DidResolverOptions,
  HandleResolver,
  getHandle,
  getPdsEndpoint,
  getSigningKey,
} from '../identity/index.ts'
import { normalizeHandle } from '../syntax/index.ts'

export interface SyncIdentityOptions extends Omit<DidResolverOptions, 'cache'> {
  /** Use this resolver (and its cache) instead of building one. */
  didResolver?: DidResolver
  /** Handle → DID; default: DNS TXT + HTTPS well-known (HandleResolver). */
  resolveHandle?: (handle: string, forceRefresh: boolean) => Promise<string | undefined>
}

export class IdentityUnavailableError extends Error {
  override name = 'IdentityUnavailableError'
}

export class SyncIdentity {
  readonly did: DidResolver
  /** Signing key per document object: the resolver hands out the same object until it refetches. */
  readonly #keys = new WeakMap<object, string | null>()
  readonly #resolveHandle: (handle: string, forceRefresh: boolean) => Promise<string | undefined>

  constructor(opts: SyncIdentityOptions = {}) {
    const { didResolver, resolveHandle, ...net } = opts
    this.did = didResolver ?? new DidResolver(net)
    if (resolveHandle) this.#resolveHandle = resolveHandle
    else {
      const hr = new HandleResolver(net)
      this.#resolveHandle = (h, forceRefresh) => hr.resolve(h, { forceRefresh })
    }
  }

  async signingKey(did: string, forceRefresh = false): Promise<string> {
    const doc = await this.did.resolve(did, { forceRefresh })
    let key = doc ? this.#keys.get(doc) : null
    if (doc && key === undefined) {
      key = getSigningKey(doc) ?? null
      this.#keys.set(doc, key)
    }
    if (!key) throw new IdentityUnavailableError(`no signing key for ${did}`)
    return key
  }

  async pds(did: string, forceRefresh = false): Promise<string> {
    const doc = await this.did.resolve(did, { forceRefresh })
    const pds = doc ? getPdsEndpoint(doc) : undefined
    if (!pds) throw new IdentityUnavailableError(`no PDS endpoint for ${did}`)
    return pds
  }

  /** The handle the DID document claims, if it resolves back to the DID; undefined otherwise. */
  async verifiedHandle(did: string, forceRefresh = false): Promise<string | undefined> {
    const doc = await this.did.resolve(did, { forceRefresh })
    const claimed = doc ? getHandle(doc) : undefined
    if (!claimed) return undefined
    const h = normalizeHandle(claimed)
    try {
      return (await this.#resolveHandle(h, forceRefresh)) === did ? h : undefined
    } catch {
      return undefined
    }
  }

  /** Handle → DID (not checked back against the document; see verifiedHandle). */
  resolveHandle(handle: string, forceRefresh = false): Promise<string | undefined> {
    return this.#resolveHandle(normalizeHandle(handle), forceRefresh)
  }
}
