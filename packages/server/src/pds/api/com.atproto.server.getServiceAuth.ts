/**
 * com.atproto.server.getServiceAuth: a service-auth JWT signed with the caller's repo key, for a client to
 * present to another service itself (video upload, feed generators, moving to another PDS). Rules as the
 * official PDS: never for protected (account-management) methods, except createAccount (moving house);
 * privileged methods need a full or privileged session; a token without `lxm` lives at most a minute and
 * one with `lxm` at most an hour (BadExpiration); taken-down accounts get tokens only for createAccount.
 */
import { InvalidRequestError, createServiceJwt } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { ACCESS_STANDARD, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { isPrivilegedMethod, mayMintServiceAuth } from '../proxy/methods.ts'

const MINUTE = 60
const HOUR = 60 * MINUTE
const CREATE_ACCOUNT = 'com.atproto.server.createAccount'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<AccessCredentials>(
    'com.atproto.server.getServiceAuth',
    ({ params, auth }) => {
      const aud = params.aud as string
      const lxm = (params.lxm as string | undefined) ?? null
      const exp = params.exp as number | undefined
      if (auth.scope === AuthScope.Takendown && lxm !== CREATE_ACCOUNT)
        throw new InvalidRequestError('Bad token scope', 'InvalidToken')
      if (lxm && isPrivilegedMethod(lxm) && auth.scope === AuthScope.AppPass) {
        throw new InvalidRequestError(
          `insufficient access to request a service auth token for the following method: ${lxm}`,
        )
      }
      if (lxm && !mayMintServiceAuth(lxm)) {
        throw new InvalidRequestError(`cannot request a service auth token for the following protected method: ${lxm}`)
      }
      const now = Math.floor(Date.now() / 1000)
      if (exp !== undefined) {
        if (exp < now) throw new InvalidRequestError('expiration is in past', 'BadExpiration')
        if (exp - now > HOUR) {
          throw new InvalidRequestError(
            'cannot request a token with an expiration more than an hour in the future',
            'BadExpiration',
          )
        }
        if (!lxm && exp - now > MINUTE) {
          throw new InvalidRequestError(
            'cannot request a method-less token with an expiration more than a minute in the future',
            'BadExpiration',
          )
        }
      }
      const token = createServiceJwt({ iss: auth.did, aud, lxm, exp, keypair: ctx.signingKey(auth.did) })
      return { encoding: 'application/json', body: { token } }
    },
    { auth: ctx.auth.access({ scopes: [...ACCESS_STANDARD, AuthScope.Takendown] }) },
  )
}
