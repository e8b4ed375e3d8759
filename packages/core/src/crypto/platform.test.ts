/** Which implementation each platform path uses, and the random-bytes sources. */
import { existsSync } from 'node:fs'
import { expect, it } from 'vitest'
import * as browser from '../platform/browser/crypto.ts'
import * as node from '../platform/node/crypto.ts'
import { platformBackends } from './backend.ts'
import { randomBytes } from './index.ts'

const prebuild = new URL(
  `../../../../node_modules/secp256k1/prebuilds/${process.platform}-${process.arch}`,
  import.meta.url,
)

it.runIf(existsSync(prebuild))('uses native libsecp256k1 for k256 on Node where a prebuilt binary exists', () => {
  expect(node.nativeK256Backend()?.impl).toBe('libsecp256k1')
  expect(platformBackends.k256.impl).toBe('libsecp256k1')
})

it('uses OpenSSL for p256 on Node and @noble/curves in browsers', () => {
  expect(platformBackends.p256.impl).toBe('node:crypto')
  expect(browser.k256.impl).toBe('@noble/curves')
  expect(browser.p256.impl).toBe('@noble/curves')
})

it.each([
  ['node', randomBytes],
  ['browser', browser.randomBytes],
])('%s randomBytes: right length, plain Uint8Array, not constant', (_name, rb) => {
  for (const n of [0, 1, 32, 65536, 70000]) {
    const b = rb(n)
    expect(b.length).toBe(n)
    expect(b.constructor).toBe(Uint8Array)
  }
  const big = rb(70000)
  expect(new Set(big.subarray(65536)).size).toBeGreaterThan(100) // the part past the first getRandomValues call
  expect(rb(32)).not.toEqual(rb(32))
})
