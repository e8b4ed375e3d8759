/**
 * The backend combinations the crypto tests run against, so every platform path is tested on Node:
 * the platform's choice (libsecp256k1 + OpenSSL), the browser's (@noble/curves), and the OpenSSL k256
 * fallback used when the native binary does not load. Imported by tests only.
 */
import * as browser from '../platform/browser/crypto.ts'
import * as node from '../platform/node/crypto.ts'
import { type CurveBackends, platformBackends } from './backend.ts'

export const BACKEND_SETS: [string, CurveBackends][] = [
  ['node platform', platformBackends],
  ['browser (@noble/curves)', { k256: browser.k256, p256: browser.p256 }],
  ['node:crypto fallback', { k256: node.opensslBackend('k256'), p256: node.opensslBackend('p256') }],
]
