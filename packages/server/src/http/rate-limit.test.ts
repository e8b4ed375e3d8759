import { describe, expect, it } from 'vitest'
import { RateLimiter } from './index.ts'

describe('RateLimiter', () => {
  it('allows `limit` points per window, refuses without spending, and resets with the window', () => {
    let now = 1_000_000
    const l = new RateLimiter({ limit: 5, windowMs: 1000, now: () => now })
    expect(l.consume('a', 3)).toMatchObject({ allowed: true, remaining: 2, resetAt: 1_001_000 })
    expect(l.consume('a', 3)).toMatchObject({ allowed: false, remaining: 2 })
    expect(l.consume('a', 2)).toMatchObject({ allowed: true, remaining: 0 })
    expect(l.consume('b')).toMatchObject({ allowed: true, remaining: 4 })
    now += 1000
    expect(l.consume('a')).toMatchObject({ allowed: true, remaining: 4 })
    l.reset('a')
    expect(l.consume('a', 5).allowed).toBe(true)
  })

  it('keeps memory bounded: sweeps expired windows and evicts past maxKeys', () => {
    let now = 0
    const l = new RateLimiter({ limit: 1, windowMs: 100, maxKeys: 1000, now: () => now })
    for (let i = 0; i < 5000; i++) l.consume(`k${i}`)
    expect(l.size).toBeLessThanOrEqual(1000)
    now += 200
    l.consume('fresh')
    expect(l.size).toBe(1)
    expect(() => new RateLimiter({ limit: 0, windowMs: 1 })).toThrow(RangeError)
  })
})
