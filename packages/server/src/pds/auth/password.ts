/**
 * Password hashing with scrypt (node:crypto; memory-hard, run on libuv's thread pool so the event loop
 * stays free). Stored form: `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>`, so parameters can be raised
 * later without invalidating old hashes. Each password gets its own random 16-byte salt; comparison is
 * constant-time. Does NOT apply password policy beyond a length cap (see MAX_PASSWORD_LENGTH).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * N = 2^15, r = 8, p = 1: 32 MiB per hash. OWASP suggests N = 2^17 (128 MiB); 2^15 keeps a burst of
 * concurrent logins within a small server's memory. Hashes record their parameters, so this can be raised.
 */
const LOG_N = 15
const R = 8
const P = 1
const KEY_LEN = 32
/** Same cap as the official PDS for new passwords; long inputs would only burn CPU. */
export const MAX_PASSWORD_LENGTH = 256

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, len: number): Promise<Buffer> {
  const N = 2 ** logN
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, len, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, LOG_N, R, P, KEY_LEN)
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** True when `password` matches `stored`; false for a wrong password or an unreadable stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [logN, r, p] = parts.slice(1, 4).map(Number)
  if (!(logN >= 10 && logN <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return false
  const salt = Buffer.from(parts[4], 'base64')
  const expected = Buffer.from(parts[5], 'base64')
  if (salt.length < 8 || expected.length < 16) return false
  const actual = await derive(password, salt, logN, r, p, expected.length)
  return timingSafeEqual(actual, expected)
}

let dummy: Promise<string> | undefined

/** Spends the same time as a real check, for logins naming an account that does not exist. */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hashPassword('not-a-real-password')
  await verifyPassword(password, await dummy)
  return false
}
