/**
 * The PDS's own secrets: the PLC rotation key (k256; signs every DID operation the PDS makes for its
 * accounts) and the HS256 secret for session JWTs. Either comes from the config; otherwise it is generated
 * on first start into `<dataDir>/keys/` (mode 0600, written to a temporary file, fsynced and hard-linked into
 * place, so a crash never leaves half a key and two processes starting together agree on one key) and read
 * back on every later start. Losing the rotation key means losing the ability to update the accounts'
 * DIDs, so the files are never overwritten.
 *
 * Per-account repo signing keys are not here: they live in the account table (see db/migrations).
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import type { PdsConfig } from './config.ts'

export interface PdsKeys {
  /** Signs PLC operations; its did:key is in every account's rotationKeys. */
  rotationKey: Secp256k1Keypair
  /** HS256 secret for access and refresh JWTs. */
  jwtSecret: Uint8Array
}

export function keysDir(cfg: PdsConfig): string {
  return join(cfg.dataDir, 'keys')
}

/** Loads (or creates and stores) the PDS's keys for `cfg`. */
export function loadKeys(cfg: PdsConfig): PdsKeys {
  const dir = keysDir(cfg)
  const rotationHex =
    cfg.rotationKeyHex ??
    readOrCreate(dir, 'plc-rotation-key.hex', () => Secp256k1Keypair.create({ exportable: true }).exportPrivateKeyHex())
  const jwtText = cfg.jwtSecret ?? readOrCreate(dir, 'jwt-secret', () => randomBytes(32).toString('hex'))
  return {
    rotationKey: Secp256k1Keypair.import(rotationHex.trim(), { exportable: true }),
    jwtSecret: new TextEncoder().encode(jwtText.trim()),
  }
}

function readOrCreate(dir: string, name: string, make: () => string): string {
  const path = join(dir, name)
  const existing = readIfExists(path)
  if (existing !== undefined) return existing
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const value = `${make()}\n`
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, value)
    fsyncSync(fd) // the key must be on disk before any DID names it
  } finally {
    closeSync(fd)
  }
  try {
    // link() never replaces an existing file: if another process created the key first, theirs is kept.
    linkSync(tmp, path)
    return value
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return readFileSync(path, 'utf8')
  } finally {
    unlinkSync(tmp)
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
