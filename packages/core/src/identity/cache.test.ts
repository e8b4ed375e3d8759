/** The TTL + stale-while-revalidate cache, with an injected clock, and its use by the resolvers. */
import { describe, expect, it } from 'vitest'
import { SwrCache } from './cache.ts'
import { DidResolver } from './did-resolver.ts'

function counter(values: (string | null | Error)[]) {
  let calls = 0
  const fetcher = async () => {
    const v = values[Math.min(calls, values.length - 1)]
    calls++
    if (v instanceof Error) throw v
    return v
  }
  return { fetcher, calls: () => calls }
}

describe('SwrCache', () => {
  it('serves fresh values, serves stale ones while refreshing once, and waits when expired', async () => {
    let now = 0
    const cache = new SwrCache<string>({ staleTtlMs: 100, maxTtlMs: 1000, now: () => now })
    const f = counter(['v1', 'v2', 'v3'])
    expect(await cache.get('k', f.fetcher)).toBe('v1')
    now = 99
    expect(await cache.get('k', f.fetcher)).toBe('v1')
    expect(f.calls()).toBe(1)
    now = 150 // stale: old value now, one refresh in the background
    expect(await Promise.all([cache.get('k', f.fetcher), cache.get('k', f.fetcher)])).toEqual(['v1', 'v1'])
    await new Promise((r) => setTimeout(r, 0))
    expect(f.calls()).toBe(2)
    expect(await cache.get('k', f.fetcher)).toBe('v2')
    now = 150 + 1000 // expired: wait for a fresh value
    expect(await cache.get('k', f.fetcher)).toBe('v3')
    expect(f.calls()).toBe(3)
  })

  it('explicit refresh, shared in-flight fetches, no caching of misses, stale kept on refresh failure', async () => {
    let now = 0
    const cache = new SwrCache<string>({ staleTtlMs: 100, maxTtlMs: 1000, now: () => now })
    const f = counter(['a', 'b'])
    await cache.get('k', f.fetcher)
    expect(await cache.get('k', f.fetcher, { forceRefresh: true })).toBe('b')
    const slow = counter(['x'])
    const [r1, r2] = await Promise.all([cache.get('n', slow.fetcher), cache.get('n', slow.fetcher)])
    expect([r1, r2, slow.calls()]).toEqual(['x', 'x', 1])
    const miss = counter([null, 'later'])
    expect(await cache.get('m', miss.fetcher)).toBeNull()
    expect(await cache.get('m', miss.fetcher)).toBe('later')
    const flaky = counter(['good', new Error('down')])
    await cache.get('f', flaky.fetcher)
    now += 200
    expect(await cache.get('f', flaky.fetcher)).toBe('good')
    await new Promise((r) => setTimeout(r, 0))
    expect(cache.peek('f')).toMatchObject({ value: 'good', stale: true, expired: false })
  })

  it('is bounded', async () => {
    const cache = new SwrCache<string>({ maxEntries: 3 })
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, k)
    expect(cache.peek('a')).toBeUndefined()
    expect(cache.peek('d')?.value).toBe('d')
  })
})

describe('DidResolver caching', () => {
  it('hits the network once while fresh and again on refresh', async () => {
    const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz'
    let calls = 0
    const fetchFn: typeof fetch = async () => {
      calls++
      return new Response(JSON.stringify({ id: did, alsoKnownAs: [`at://v${calls}.test`] }), { status: 200 })
    }
    const r = new DidResolver({ plcUrl: 'https://plc.example.com', fetch: fetchFn, dns: null })
    await r.resolve(did)
    await r.resolve(did)
    expect(calls).toBe(1)
    expect((await r.refresh(did))?.alsoKnownAs).toEqual(['at://v2.test'])
    expect((await r.resolve(did))?.alsoKnownAs).toEqual(['at://v2.test'])
    expect(calls).toBe(2)
  })
})
