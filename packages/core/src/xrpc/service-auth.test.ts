import * as official from '@atproto/crypto'
import { createServiceJwt as officialCreate, verifyJwt as officialVerify } from '@atproto/xrpc-server'
import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase64Url, utf8Decode, utf8Encode } from '../bytes/index.ts'
import { P256Keypair, Secp256k1Keypair } from '../crypto/index.ts'
import { XRPCError } from './errors.ts'
import { bearerToken, createServiceJwt, verifyServiceJwt } from './service-auth.ts'

const ISS = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
const AUD = 'did:web:appview.example.com'
const LXM = 'app.bsky.feed.getTimeline'

async function failure(p: Promise<unknown>): Promise<XRPCError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(XRPCError)
    return err as XRPCError
  }
  throw new Error('expected a failure')
}

describe('service-auth JWTs', () => {
  for (const [name, make] of [
    ['ES256K', () => Secp256k1Keypair.create()],
    ['ES256', () => P256Keypair.create()],
  ] as const) {
    it(`${name}: ours verify with the official verifier and the reverse`, async () => {
      const key = make()
      const jwt = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
      const theirs = await officialVerify(jwt, AUD, LXM, async () => key.did())
      expect(theirs.iss).toBe(ISS)
      expect(theirs.lxm).toBe(LXM)
      expect((await verifyServiceJwt(jwt, { aud: AUD, lxm: LXM, getSigningKey: async () => key.did() })).iss).toBe(ISS)
    })
  }

  it('verifies tokens signed by the official implementation (k256 and p256)', async () => {
    for (const kp of [await official.Secp256k1Keypair.create(), await official.P256Keypair.create()]) {
      const jwt = await officialCreate({ iss: ISS, aud: AUD, lxm: LXM, keypair: kp })
      const payload = await verifyServiceJwt(jwt, { aud: AUD, lxm: LXM, getSigningKey: async () => kp.did() })
      expect(payload).toMatchObject({ iss: ISS, aud: AUD, lxm: LXM })
      expect(payload.exp - (payload.iat as number)).toBe(60)
    }
  })

  it('rejects wrong audience, method, expiry, issuer, type and signature with the official names', async () => {
    const key = Secp256k1Keypair.create()
    const getSigningKey = async () => key.did()
    const ok = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
    const v = (jwt: string, over: Partial<Parameters<typeof verifyServiceJwt>[1]> = {}) =>
      verifyServiceJwt(jwt, { aud: AUD, lxm: LXM, getSigningKey, ...over })
    expect((await failure(v(ok, { aud: 'did:web:other.example' }))).error).toBe('BadJwtAudience')
    expect((await failure(v(ok, { lxm: 'app.bsky.feed.getPosts' }))).error).toBe('BadJwtLexiconMethod')
    const unbound = createServiceJwt({ iss: ISS, aud: AUD, keypair: key })
    expect((await failure(v(unbound))).error).toBe('BadJwtLexiconMethod')
    expect((await v(unbound, { lxm: null })).iss).toBe(ISS)
    expect((await v(ok, { aud: null })).aud).toBe(AUD)
    const old = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key, iat: 1000, exp: 1060 })
    const expired = await failure(v(old))
    expect([expired.status, expired.error]).toEqual([401, 'JwtExpired'])
    const badIss = createServiceJwt({ iss: 'not-a-did', aud: AUD, lxm: LXM, keypair: key })
    expect((await failure(v(badIss))).error).toBe('BadJwtIss')
    const other = Secp256k1Keypair.create()
    const forged = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: other })
    expect((await failure(v(forged))).error).toBe('BadJwtSignature')
    // A typ reserved for session tokens is refused even when correctly signed.
    const [, payload] = ok.split('.')
    const header = toBase64Url(utf8Encode(JSON.stringify({ typ: 'at+jwt', alg: 'ES256K' })))
    const sig = toBase64Url(key.sign(utf8Encode(`${header}.${payload}`)))
    expect((await failure(v(`${header}.${payload}.${sig}`))).error).toBe('BadJwtType')
    for (const junk of ['', 'a.b', 'a.b.c', `${ok.split('.')[0]}.!!!.${sig}`, 'x'.repeat(10_000)]) {
      expect((await failure(v(junk))).error).toBe('BadJwt')
    }
  })

  it('alg must name the key curve; a payload edit breaks the signature', async () => {
    const key = Secp256k1Keypair.create()
    const jwt = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: key })
    const [h, p, s] = jwt.split('.')
    const header = JSON.parse(utf8Decode(fromBase64Url(h)))
    expect(header).toEqual({ typ: 'JWT', alg: 'ES256K' })
    const p256Header = toBase64Url(utf8Encode(JSON.stringify({ typ: 'JWT', alg: 'ES256' })))
    const getSigningKey = async () => key.did()
    const e1 = await failure(verifyServiceJwt(`${p256Header}.${p}.${s}`, { aud: AUD, lxm: LXM, getSigningKey }))
    expect(e1.error).toBe('BadJwtSignature')
    const claims = JSON.parse(utf8Decode(fromBase64Url(p)))
    const edited = toBase64Url(utf8Encode(JSON.stringify({ ...claims, iss: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' })))
    const e2 = await failure(verifyServiceJwt(`${h}.${edited}.${s}`, { aud: AUD, lxm: LXM, getSigningKey }))
    expect(e2.error).toBe('BadJwtSignature')
  })

  it('asks for a fresh key once after a failed check (rotation)', async () => {
    const oldKey = Secp256k1Keypair.create()
    const newKey = Secp256k1Keypair.create()
    const calls: boolean[] = []
    const jwt = createServiceJwt({ iss: ISS, aud: AUD, lxm: LXM, keypair: newKey })
    await verifyServiceJwt(jwt, {
      aud: AUD,
      lxm: LXM,
      getSigningKey: async (_iss, force) => {
        calls.push(force)
        return force ? newKey.did() : oldKey.did()
      },
    })
    expect(calls).toEqual([false, true])
    const e = await failure(
      verifyServiceJwt(jwt, {
        aud: AUD,
        lxm: LXM,
        getSigningKey: async () => {
          throw new Error('DID not found')
        },
      }),
    )
    expect(e.error).toBe('BadJwtIss')
  })

  it('bearerToken', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi')
    expect(bearerToken('bearer  x ')).toBe('x')
    expect(bearerToken('Basic abc')).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })
})
