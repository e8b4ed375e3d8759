/**
 * Who is asking: service-auth JWTs minted by the viewer's PDS (`iss` = the account, `aud` = this AppView,
 * `lxm` = the method), verified with the issuer's signing key from its DID document (see
 * core/xrpc/service-auth.ts). Issuers with a `#service` fragment are services, not viewers.
 *
 * `optional`: no Authorization header → anonymous; a bad token → 401. `required`: anonymous → 401.
 * `feed`: getFeed also accepts the token a PDS mints for the feed generator (`aud` = the generator's DID,
 * `lxm` = getFeedSkeleton); it is forwarded to the generator unchanged.
 */
import { AuthRequiredError, type ServiceJwtPayload, bearerToken, verifyServiceJwt } from '@stratus/core/xrpc'
import type { SyncIdentity } from '@stratus/core/sync'
import type { AuthContext, AuthVerifier } from '../http/index.ts'

export interface Viewer {
  did: string | undefined
  /** The raw token, when it is meant for a feed generator (getFeed). */
  forwardToken?: string
  payload?: ServiceJwtPayload
}

export interface AuthVerifiers {
  optional: AuthVerifier<Viewer>
  required: AuthVerifier<Viewer & { did: string }>
  feed: AuthVerifier<Viewer>
}

const viewerDid = (iss: string): string | undefined => (iss.includes('#') ? undefined : iss)

const CACHE_SIZE = 10_000

/**
 * Verified tokens by method and token string: a client reuses its token for many calls, and checking the
 * signature is the most expensive part of a cheap read. Entries are dropped once expired.
 */
class TokenCache {
  readonly #map = new Map<string, ServiceJwtPayload>()

  get(key: string): ServiceJwtPayload | undefined {
    const p = this.#map.get(key)
    if (p && p.exp <= Date.now() / 1000) {
      this.#map.delete(key)
      return undefined
    }
    return p
  }

  set(key: string, p: ServiceJwtPayload): void {
    if (this.#map.size >= CACHE_SIZE) this.#map.delete(this.#map.keys().next().value as string)
    this.#map.set(key, p)
  }
}

export function authVerifiers(serviceDid: () => string, identity: SyncIdentity): AuthVerifiers {
  const getSigningKey = (iss: string, force: boolean) => identity.signingKey(iss.split('#')[0], force)
  const cache = new TokenCache()
  const optional = async ({ req, nsid }: AuthContext): Promise<Viewer> => {
    const token = bearerToken(req.headers.get('authorization'))
    if (!token) return { did: undefined }
    const key = `${nsid} ${token}`
    let payload = cache.get(key)
    if (!payload) {
      payload = await verifyServiceJwt(token, { aud: serviceDid(), lxm: nsid, getSigningKey })
      cache.set(key, payload)
    }
    return { did: viewerDid(payload.iss), payload }
  }
  const required = async (ctx: AuthContext): Promise<Viewer & { did: string }> => {
    const v = await optional(ctx)
    if (!v.did) throw new AuthRequiredError('authentication required', 'AuthMissing')
    return v as Viewer & { did: string }
  }
  const feed = async ({ req, nsid }: AuthContext): Promise<Viewer> => {
    const token = bearerToken(req.headers.get('authorization'))
    if (!token) return { did: undefined }
    const payload = await verifyServiceJwt(token, { aud: null, lxm: null, getSigningKey })
    if (payload.aud === serviceDid() && payload.lxm === nsid) return { did: viewerDid(payload.iss), payload }
    if (payload.lxm === 'app.bsky.feed.getFeedSkeleton')
      return { did: viewerDid(payload.iss), payload, forwardToken: token }
    throw new AuthRequiredError('jwt is neither for this service nor for a feed generator', 'BadJwtAudience')
  }
  return { optional, required, feed }
}
