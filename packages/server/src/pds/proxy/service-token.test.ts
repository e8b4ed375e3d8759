import { Secp256k1Keypair, formatMultikey } from '@stratus/core/crypto'
import { verifyServiceJwt } from '@stratus/core/xrpc'
import { describe, expect, it } from 'vitest'
import { ServiceTokenCache } from './service-token.ts'

describe('ServiceTokenCache', () => {
  it('reuses a token while half its lifetime is left, one per account, audience and method', async () => {
    const key = Secp256k1Keypair.create()
    let signed = 0
    const keypair = () => {
      signed++
      return key
    }
    const cache = new ServiceTokenCache()
    const t0 = Date.parse('2026-01-01T00:00:00Z')
    const a = cache.get('did:plc:alice', 'did:web:av', 'app.bsky.feed.getTimeline', keypair, t0)
    expect(cache.get('did:plc:alice', 'did:web:av', 'app.bsky.feed.getTimeline', keypair, t0 + 30_000)).toBe(a)
    expect(signed).toBe(1)
    expect(cache.get('did:plc:alice', 'did:web:av', 'app.bsky.actor.getProfile', keypair, t0)).not.toBe(a)
    expect(cache.get('did:plc:alice', 'did:web:other', 'app.bsky.feed.getTimeline', keypair, t0)).not.toBe(a)
    expect(cache.get('did:plc:bob', 'did:web:av', 'app.bsky.feed.getTimeline', keypair, t0)).not.toBe(a)
    expect(signed).toBe(4)
    const b = cache.get('did:plc:alice', 'did:web:av', 'app.bsky.feed.getTimeline', keypair, t0 + 31_000)
    expect(b).not.toBe(a)
    const payload = await verifyServiceJwt(b, {
      aud: 'did:web:av',
      lxm: 'app.bsky.feed.getTimeline',
      getSigningKey: async () => `did:key:${formatMultikey('ES256K', key.publicKeyBytes())}`,
      now: () => t0 + 32_000,
    })
    expect(payload).toMatchObject({ iss: 'did:plc:alice', exp: Math.floor(t0 / 1000) + 31 + 60 })
  })
})
