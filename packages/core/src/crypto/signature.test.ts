/** Signature byte forms: low-S boundary, s negation, strict and malleable acceptance, DER parsing. */
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes/index.ts'
import { type CurveInfo, K256, P256 } from './curves.ts'
import { derToCompact, hasHighS, makeLowS, negateS, toVerifiable } from './signature.ts'

// Group orders written out independently of curves.ts (SEC 2 / FIPS 186-4).
const ORDERS: [CurveInfo, bigint][] = [
  [K256, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n],
  [P256, 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n],
]

const be32 = (n: bigint) => fromHex(n.toString(16).padStart(64, '0'))
const sigOf = (r: bigint, s: bigint) => new Uint8Array([...be32(r), ...be32(s)])
const sOf = (sig: Uint8Array) => BigInt(`0x${toHex(sig.subarray(32))}`)

describe.each(ORDERS)('$jwtAlg', (c, n) => {
  const half = n >> 1n

  it('the low-S boundary is floor(n/2)', () => {
    expect(hasHighS(sigOf(1n, half), c)).toBe(false)
    expect(hasHighS(sigOf(1n, half + 1n), c)).toBe(true)
    expect(hasHighS(sigOf(1n, 1n), c)).toBe(false)
    expect(hasHighS(sigOf(1n, n - 1n), c)).toBe(true)
  })

  it('negateS computes n - s and keeps r', () => {
    for (const s of [1n, 2n, half, half + 1n, n - 1n, 0x1234567890abcdefn, n - 0xffffffffn]) {
      const sig = sigOf(77n, s)
      const neg = negateS(sig, c)
      expect(sOf(neg)).toBe(n - s)
      expect(neg.subarray(0, 32)).toEqual(sig.subarray(0, 32))
      expect(negateS(neg, c)).toEqual(sig)
    }
  })

  it('makeLowS flips high-S in place', () => {
    const high = sigOf(5n, n - 9n)
    expect(makeLowS(high, c)).toBe(high)
    expect(sOf(high)).toBe(9n)
    expect(high.subarray(0, 32)).toEqual(be32(5n))
    const low = sigOf(5n, half)
    expect(makeLowS(low, c)).toBe(low)
    expect(low).toEqual(sigOf(5n, half))
    expect(sOf(makeLowS(sigOf(5n, half + 1n), c))).toBe(n - half - 1n)
  })

  it('strict acceptance: exactly 64 bytes, 0 < r, s < n, low S', () => {
    expect(toVerifiable(sigOf(1n, 1n), c, false)).not.toBeNull()
    expect(toVerifiable(sigOf(n - 1n, half), c, false)).not.toBeNull()
    for (const bad of [
      sigOf(0n, 1n),
      sigOf(1n, 0n),
      sigOf(n, 1n),
      sigOf(1n, n),
      sigOf(2n ** 256n - 1n, 1n),
      sigOf(1n, half + 1n),
      new Uint8Array(0),
      new Uint8Array(63).fill(1),
      new Uint8Array(65).fill(1),
    ]) {
      expect(toVerifiable(bad, c, false)).toBeNull()
    }
    expect(toVerifiable('not bytes', c, false)).toBeNull()
    expect(toVerifiable(null, c, true)).toBeNull()
    expect(toVerifiable(Array.from(sigOf(1n, 1n)), c, false)).toBeNull()
  })

  it('malleable acceptance normalises high-S and reads DER, still range-checked', () => {
    expect(sOf(toVerifiable(sigOf(3n, n - 3n), c, true) as Uint8Array)).toBe(3n)
    expect(toVerifiable(sigOf(3n, n), c, true)).toBeNull()
    const der = fromHex('3006020103020104')
    expect(toVerifiable(der, c, false)).toBeNull()
    expect(toVerifiable(der, c, true)).toEqual(sigOf(3n, 4n))
  })
})

describe('derToCompact', () => {
  it('reads minimal positive integers, with and without a sign byte', () => {
    expect(derToCompact(fromHex('3006020101020102'))).toEqual(sigOf(1n, 2n))
    const r = 0x80n << 248n // top bit set: DER needs a leading zero
    const der = fromHex(`3026022100${r.toString(16)}020105`)
    expect(derToCompact(der)).toEqual(sigOf(r, 5n))
  })

  it.each([
    ['wrong tag', '3106020101020102'],
    ['wrong total length', '3007020101020102'],
    ['trailing byte', '300702010102010200'],
    ['negative integer', '3006020181020102'],
    ['non-minimal integer', '300702020001020102'],
    ['zero-length integer', '30050200020102'],
    ['integer over 32 bytes', `3027022201${'00'.repeat(33)}020101`],
    ['truncated', '30060201010201'],
    ['too short', '3000'],
    ['not an integer', '3006030101020102'],
  ])('rejects %s', (_what, hex) => {
    expect(derToCompact(fromHex(hex))).toBeNull()
  })
})
