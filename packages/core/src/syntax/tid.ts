/**
 * TIDs (atproto.com/specs/tid): 13 characters of base32-sortable (`234567a-z`) encoding a 64-bit integer whose
 * top bit is 0, then 53 bits of microseconds since the UNIX epoch, then a 10-bit clock id. Lexicographic order of
 * the strings is numeric order. {@link nextTid} is monotonic per process: it never returns the same or a smaller
 * TID twice, even if the wall clock steps back or many are made in one microsecond (it then runs ahead of the
 * clock by a few microseconds). Validation is the spec's syntax only; it does NOT check the timestamp is plausible.
 */
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidTid}. */
export type TidString = string & { readonly [brand]: 'TidString' }

export const TID_LENGTH = 13
const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz'
const CLOCK_ID_MAX = 1023
/** 2^53: the timestamp field is 53 bits, which is also exactly what a JS number holds without loss. */
const TIMESTAMP_LIMIT = 2 ** 53

const DECODE = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

/** The spec's `^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`: the first character carries 0-15. */
export function isValidTid(s: string): s is TidString {
  if (typeof s !== 'string' || s.length !== TID_LENGTH) return false
  const first = s.charCodeAt(0)
  if (first >= 128 || DECODE[first] < 0 || DECODE[first] > 15) return false
  for (let i = 1; i < TID_LENGTH; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || DECODE[c] < 0) return false
  }
  return true
}

export function ensureValidTid(s: string): asserts s is TidString {
  if (isValidTid(s)) return
  const str = String(s)
  const reason =
    str.length !== TID_LENGTH
      ? `must be ${TID_LENGTH} characters`
      : 'must be base32-sortable (234567a-z) with a first character in 2-7, a-j'
  throw new InvalidSyntaxError('tid', str, reason)
}

/** Encodes a timestamp (µs since epoch, 0 ≤ micros < 2^53) and a clock id (0-1023). */
export function tidFromTime(micros: number, clockId: number): TidString {
  if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError(`TID timestamp out of range: ${micros}`)
  if (!Number.isInteger(clockId) || clockId < 0 || clockId > CLOCK_ID_MAX) {
    throw new RangeError(`TID clock id out of range: ${clockId}`)
  }
  // 11 characters carry the timestamp (55 bits, top 2 always 0), 2 carry the clock id.
  let out = ALPHABET[clockId & 31]
  out = ALPHABET[clockId >>> 5] + out
  let t = micros
  for (let i = 0; i < 11; i++) {
    out = ALPHABET[t % 32] + out
    t = Math.floor(t / 32)
  }
  return out as TidString
}

function decodeRange(tid: string, start: number, end: number): number {
  let n = 0
  for (let i = start; i < end; i++) n = n * 32 + DECODE[tid.charCodeAt(i)]
  return n
}

/** Microseconds since the UNIX epoch. Throws for TIDs whose timestamp does not fit 53 bits (top bit set). */
export function tidTimestamp(tid: string): number {
  ensureValidTid(tid)
  const micros = decodeRange(tid, 0, 11)
  if (micros >= TIMESTAMP_LIMIT) throw new InvalidSyntaxError('tid', tid, 'timestamp exceeds 53 bits')
  return micros
}

export function tidClockId(tid: string): number {
  ensureValidTid(tid)
  return decodeRange(tid, 11, 13)
}

/** Orders TIDs oldest first (string order is numeric order for valid TIDs). */
export function compareTids(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

let lastMicros = -1
let processClockId = -1

function randomClockId(): number {
  const buf = new Uint16Array(1)
  globalThis.crypto.getRandomValues(buf)
  return buf[0] & CLOCK_ID_MAX
}

/** Wall-clock microseconds: Date.now() for the milliseconds, performance.now() for the sub-millisecond part. */
function nowMicros(): number {
  const ms = Date.now()
  const frac = typeof performance === 'undefined' ? 0 : Math.floor((performance.now() % 1) * 1000)
  return ms * 1000 + frac
}

/**
 * The next TID of this process: strictly greater than every TID it returned before, and than `prev` if given
 * (for a repo whose last commit rev came from another process or machine).
 */
export function nextTid(prev?: string): TidString {
  if (prev !== undefined) ensureValidTid(prev)
  if (processClockId < 0) processClockId = randomClockId()
  let micros = Math.max(nowMicros(), lastMicros + 1)
  let tid = tidFromTime(micros, processClockId)
  if (prev !== undefined && tid <= prev) {
    micros = tidTimestamp(prev) + 1
    tid = tidFromTime(micros, processClockId)
  }
  lastMicros = micros
  return tid
}
