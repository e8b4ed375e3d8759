import { describe, expect, it } from 'vitest'
import { HostnameError, hostBaseUrl, hostStreamUrl, normalizeHostname, usesPlainHttp } from './hostname.ts'
import {
  DEFAULT_HOST_LIMITS,
  KeyedBuckets,
  TokenBucket,
  goodBehaviour,
  hostAccountLimit,
  hostEventRate,
} from './limits.ts'

describe('normalizeHostname', () => {
  it('accepts public DNS names, leniently with a scheme or trailing slash', () => {
    expect(normalizeHostname('PDS.Example.com', false)).toBe('pds.example.com')
    expect(normalizeHostname('https://pds.example.com/', false)).toBe('pds.example.com')
    expect(normalizeHostname('  morel.us-east.host.bsky.network ', false)).toBe('morel.us-east.host.bsky.network')
  })

  it('refuses addresses, ports, local names and junk outside dev mode', () => {
    for (const bad of [
      '127.0.0.1',
      '10.0.0.1',
      '[::1]',
      'localhost',
      'localhost:2583',
      'pds.example.com:8080',
      'pds.test',
      'printer.local',
      'x.internal',
      'nodots',
      'a b.com',
      'pds.example.com/xrpc',
      'user@pds.example.com',
      '',
      'a'.repeat(400),
    ]) {
      expect(() => normalizeHostname(bad, false), bad).toThrow(HostnameError)
    }
  })

  it('allows loopback, ports and .test in dev mode, reached over plain http/ws', () => {
    expect(normalizeHostname('localhost:2583', true)).toBe('localhost:2583')
    expect(normalizeHostname('127.0.0.1:80', true)).toBe('127.0.0.1:80')
    expect(normalizeHostname('pds.test', true)).toBe('pds.test')
    expect(usesPlainHttp('localhost:2583', true)).toBe(true)
    expect(usesPlainHttp('pds.example.com', true)).toBe(false)
    expect(usesPlainHttp('localhost:2583', false)).toBe(false)
    expect(hostBaseUrl('pds.example.com', false)).toBe('https://pds.example.com')
    expect(hostStreamUrl('localhost:2583', true, 42)).toBe(
      'ws://localhost:2583/xrpc/com.atproto.sync.subscribeRepos?cursor=42',
    )
    expect(hostStreamUrl('pds.example.com', false)).toBe('wss://pds.example.com/xrpc/com.atproto.sync.subscribeRepos')
  })
})

describe('host limits', () => {
  const day = 24 * 60 * 60 * 1000
  const now = Date.parse('2026-01-01T00:00:00Z')
  const base = { trusted: false, accountLimit: null, rateLimit: null, createdAtMs: now, accepted: 0, rejected: 0 }
  const cfg = DEFAULT_HOST_LIMITS

  it('starts modest and grows with age and accepted events', () => {
    expect(hostAccountLimit(base, cfg, now)).toBe(cfg.initialAccounts)
    expect(hostAccountLimit({ ...base, createdAtMs: now - 7 * day }, cfg, now)).toBe(2 * cfg.initialAccounts)
    expect(hostAccountLimit({ ...base, createdAtMs: now - 28 * day }, cfg, now)).toBe(16 * cfg.initialAccounts)
    expect(hostAccountLimit({ ...base, accepted: 50_000 }, cfg, now)).toBe(cfg.initialAccounts + 500)
    expect(hostAccountLimit({ ...base, createdAtMs: now - 10_000 * day }, cfg, now)).toBe(cfg.maxAccounts)
  })

  it('stops growing for a misbehaving host; trust and operator overrides win', () => {
    const old = { ...base, createdAtMs: now - 28 * day, accepted: 10_000 }
    expect(goodBehaviour({ accepted: 10_000, rejected: 50 })).toBe(1)
    expect(goodBehaviour({ accepted: 10_000, rejected: 500 })).toBe(0.5)
    expect(hostAccountLimit({ ...old, rejected: 500 }, cfg, now)).toBe(4 * cfg.initialAccounts + 50)
    expect(hostAccountLimit({ ...old, rejected: 5000 }, cfg, now)).toBe(cfg.initialAccounts)
    expect(hostAccountLimit({ ...old, rejected: 5000, accountLimit: 7 }, cfg, now)).toBe(7)
    expect(hostAccountLimit({ ...base, trusted: true }, cfg, now)).toBe(cfg.maxAccounts)
  })

  it('scales the event rate with the account limit', () => {
    expect(hostEventRate(base, cfg, 100)).toBe(cfg.baseEventsPerSecond + 100 * cfg.eventsPerSecondPerAccount)
    expect(hostEventRate(base, cfg, 10_000_000)).toBe(cfg.maxEventsPerSecond)
    expect(hostEventRate({ ...base, rateLimit: 3 }, cfg, 100)).toBe(3)
  })

  it('token buckets refill over time and report how long a debt lasts', () => {
    let t = 0
    const b = new TokenBucket(10, 20, () => t)
    for (let i = 0; i < 20; i++) expect(b.take()).toBe(true)
    expect(b.take()).toBe(false)
    t += 500
    for (let i = 0; i < 5; i++) expect(b.take()).toBe(true)
    expect(b.take()).toBe(false)
    expect(b.spend(10)).toBe(1000)
    const keyed = new KeyedBuckets(1, 2, 2, () => t)
    expect([keyed.take('a'), keyed.take('a'), keyed.take('a')]).toEqual([true, true, false])
    expect(new KeyedBuckets(0, 0).take('x')).toBe(true)
  })
})
