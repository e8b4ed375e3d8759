import { Secp256k1Keypair } from '@stratus/core/crypto'
import type { DidDocument } from '@stratus/core/identity'
import { describe, expect, it } from 'vitest'
import { didDoc } from '../test-util.ts'
import { Identities } from './identities.ts'

const did = 'did:plc:identitiesidentitiesiden'
const key1 = Secp256k1Keypair.create().did()
const key2 = Secp256k1Keypair.create().did()

function resolver(answers: (DidDocument | null | Error)[]) {
  const r = {
    calls: 0,
    async resolveNoCache(_did: string): Promise<DidDocument | null> {
      const a = answers[Math.min(r.calls++, answers.length - 1)]
      if (a instanceof Error) throw a
      return a
    },
  }
  return r
}

describe('Identities', () => {
  it('extracts key and PDS host, caches, and shares concurrent lookups', async () => {
    const r = resolver([didDoc(did, key1, 'https://PDS.example.com:443/', 'a.test')])
    const ids = new Identities(r)
    expect(ids.peek(did)).toBeUndefined()
    const [a, b] = await Promise.all([ids.get(did), ids.get(did)])
    expect(a).toEqual({
      did,
      signingKey: key1,
      pdsUrl: 'https://PDS.example.com:443/',
      pdsHost: 'pds.example.com',
      handle: 'a.test',
    })
    expect(b).toBe(a)
    expect(ids.peek(did)).toBe(a)
    expect(r.calls).toBe(1)
  })

  it('limits forced refreshes per DID and keeps the old answer when a refresh fails', async () => {
    let t = 0
    const r = resolver([
      didDoc(did, key1, 'https://pds.example.com'),
      new Error('down'),
      didDoc(did, key2, 'https://pds.example.com'),
    ])
    const ids = new Identities(r, { minRefreshMs: 30_000, now: () => t })
    await ids.get(did)
    expect(ids.canRefresh(did)).toBe(false)
    expect((await ids.refresh(did))?.signingKey).toBe(key1)
    expect(r.calls).toBe(1)
    t += 30_000
    expect((await ids.refresh(did))?.signingKey).toBe(key1) // failed lookup: old answer kept
    expect((await ids.refresh(did, 0))?.signingKey).toBe(key2)
    expect(r.calls).toBe(3)
  })

  it('remembers DIDs that do not resolve for a while, then looks again; refreshes stale entries in the background', async () => {
    let t = 0
    const r = resolver([
      null,
      didDoc(did, key1, 'https://pds.example.com'),
      didDoc(did, key2, 'https://pds.example.com'),
    ])
    const ids = new Identities(r, { negativeTtlMs: 60_000, ttlMs: 3_600_000, now: () => t })
    expect(await ids.get(did)).toBeNull()
    expect(ids.peek(did)).toBeNull()
    t += 60_000
    expect(ids.peek(did)).toBeUndefined()
    expect((await ids.get(did))?.signingKey).toBe(key1)
    t += 3_600_000
    expect(ids.peek(did)?.signingKey).toBe(key1) // stale: served, refreshed behind
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(ids.peek(did)?.signingKey).toBe(key2)
  })
})
