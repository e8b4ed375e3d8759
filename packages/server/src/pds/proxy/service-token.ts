/**
 * Service-auth tokens for proxied calls, reused: one per (account, audience, method) while more than half
 * of its 60 s lifetime is left. Signing (ES256K) costs more than the rest of a proxied read, and a reused
 * token lets the AppView answer from its cache of verified tokens instead of checking the signature again.
 * A reused token is as valid as a fresh one (same claims; `jti` is unique per token, not per request).
 */
import type { Keypair } from '@stratus/core/crypto'
import { createServiceJwt } from '@stratus/core/xrpc'

const LIFETIME_S = 60
/** Reuse while at least this much lifetime is left. */
const MIN_LEFT_S = 30
const MAX_ENTRIES = 10_000

export class ServiceTokenCache {
  readonly #tokens = new Map<string, { token: string; exp: number }>()

  get(iss: string, aud: string, lxm: string, keypair: () => Keypair, nowMs = Date.now()): string {
    const key = `${iss} ${aud} ${lxm}`
    const now = Math.floor(nowMs / 1000)
    const hit = this.#tokens.get(key)
    if (hit && hit.exp - now >= MIN_LEFT_S) return hit.token
    const exp = now + LIFETIME_S
    const token = createServiceJwt({ iss, aud, lxm, keypair: keypair(), iat: now, exp })
    this.#tokens.delete(key)
    if (this.#tokens.size >= MAX_ENTRIES) this.#tokens.delete(this.#tokens.keys().next().value as string)
    this.#tokens.set(key, { token, exp })
    return token
  }
}
