/**
 * Incoming service-auth JWTs (core/xrpc/service-auth.ts): a token signed by an account's DID key, for
 * this PDS (`aud` = our service DID, optionally `#atproto_pds`) and this method (`lxm` required). Only
 * com.atproto.server.createAccount accepts one — to prove control of a DID that moves in — so the
 * account-management methods can never be called with service auth (their verifiers take session tokens
 * only, and session tokens are HS256 while service tokens are ES256K/ES256).
 *
 * Not checked: `jti` replay within the token's minute of life.
 */
import { AuthRequiredError } from '@stratus/core/xrpc'
import { bearerToken, verifyServiceJwt } from '@stratus/core/xrpc'
import type { AuthContext, AuthVerifier } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'

export interface ServiceCredentials {
  type: 'service'
  /** The issuing account's DID (`iss` without a fragment). */
  did: string
}

function jwtAlg(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'))
    return typeof header?.alg === 'string' ? header.alg : undefined
  } catch {
    return undefined
  }
}

/**
 * A verifier that accepts a service-auth token for the route's method, or no token at all (undefined).
 * Session tokens (HS256) are ignored rather than refused: a signed-in client may create another account.
 */
export function serviceAuthOptional(ctx: PdsContext): AuthVerifier<ServiceCredentials | undefined> {
  return async ({ nsid, req }: AuthContext) => {
    const token = bearerToken(req.headers.get('authorization'))
    if (!token || jwtAlg(token) === 'HS256') return undefined
    const payload = await verifyServiceJwt(token, {
      aud: null,
      lxm: nsid,
      getSigningKey: (iss, forceRefresh) => ctx.idResolver.did.resolveAtprotoKey(iss.split('#')[0], forceRefresh),
    })
    const aud = ctx.cfg.serviceDid
    if (payload.aud !== aud && payload.aud !== `${aud}#atproto_pds`) {
      throw new AuthRequiredError('jwt audience does not match service did', 'BadJwtAudience')
    }
    return { type: 'service', did: payload.iss.split('#')[0] }
  }
}
