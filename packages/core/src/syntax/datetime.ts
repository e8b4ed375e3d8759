/**
 * Lexicon `datetime` strings (atproto.com/specs/lexicon#datetime): the intersection of RFC 3339, ISO 8601 and
 * WHATWG HTML — `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, uppercase `T` and `Z`, a timezone required, `-00:00`
 * not allowed, at most 64 characters. Beyond the shape, the date must exist (month 1-12, day within the month,
 * hour ≤ 23, minute and second ≤ 59, offset hour ≤ 23) and, normalized to UTC, fall within years 0000-9999.
 * Leap seconds (`:60`) are rejected: a JS Date cannot hold them, and the official validator refuses them too.
 * The checks run on character codes — no regex, no Date, no substrings — so validation does not allocate.
 */
import { InvalidSyntaxError } from './errors.ts'

declare const brand: unique symbol
/** A string that passed {@link isValidDatetime}. */
export type DatetimeString = string & { readonly [brand]: 'DatetimeString' }

export const DATETIME_MAX_LENGTH = 64
const DAY_SECONDS = 86400

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i)
  return c >= 48 && c <= 57
}

function charIs(s: string, i: number, c: number): boolean {
  return s.charCodeAt(i) === c
}

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
/** Position and char code of each fixed separator: - - T : : */
const SEPARATORS = [4, 45, 7, 45, 10, 84, 13, 58, 16, 58]

function digitsIn(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(s, i)) return false
  return true
}

/**
 * `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`, checked by position:
 * every field before the fraction has a fixed offset, and the timezone is anchored at the end.
 */
function hasDatetimeShape(s: string): boolean {
  const n = s.length
  if (n < 20) return false
  for (const i of DIGIT_POSITIONS) if (!isDigit(s, i)) return false
  for (let k = 0; k < SEPARATORS.length; k += 2) if (!charIs(s, SEPARATORS[k], SEPARATORS[k + 1])) return false
  let tz = n - 1
  if (!charIs(s, tz, 90 /* Z */)) {
    tz = n - 6
    const sign = s.charCodeAt(tz)
    if (
      tz < 19 ||
      (sign !== 43 && sign !== 45) ||
      !digitsIn(s, n - 5, n - 3) ||
      !charIs(s, n - 3, 58) ||
      !digitsIn(s, n - 2, n)
    ) {
      return false
    }
  }
  if (tz === 19) return true
  return tz > 20 && charIs(s, 19, 46 /* . */) && digitsIn(s, 20, tz)
}

function num2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48
}

function num4(s: string, i: number): number {
  return num2(s, i) * 100 + num2(s, i + 2)
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31
}

/** Offset east of UTC in minutes; 0 for `Z`. Only valid after hasDatetimeShape(). */
function offsetMinutes(s: string): number {
  const n = s.length
  if (s.charCodeAt(n - 1) === 90 /* Z */) return 0
  const mins = num2(s, n - 5) * 60 + num2(s, n - 2)
  return s.charCodeAt(n - 6) === 45 /* - */ ? -mins : mins
}

/** Returns why `s` is not a valid datetime, or null when it is. Reasons are constants: nothing is allocated. */
function datetimeProblem(s: string): string | null {
  if (typeof s !== 'string') return 'not a string'
  if (s.length > DATETIME_MAX_LENGTH) return 'longer than 64 characters'
  if (!hasDatetimeShape(s)) return 'not of the form YYYY-MM-DDTHH:MM:SS[.sss](Z|+HH:MM|-HH:MM)'
  const n = s.length
  if (s.endsWith('-00:00')) return 'the "-00:00" offset (unknown local offset) is not allowed'
  const y = num4(s, 0)
  const mo = num2(s, 5)
  const d = num2(s, 8)
  if (mo < 1 || mo > 12) return 'month out of range'
  if (d < 1 || d > daysInMonth(y, mo)) return 'day out of range for the month'
  const secs = num2(s, 11) * 3600 + num2(s, 14) * 60 + num2(s, 17)
  if (num2(s, 11) > 23 || num2(s, 14) > 59 || num2(s, 17) > 59) return 'time out of range'
  if (s.charCodeAt(n - 1) !== 90 && (num2(s, n - 5) > 23 || num2(s, n - 2) > 59)) return 'offset out of range'
  // Only the first and last day of the 0000-9999 range can cross it once shifted to UTC. The fraction never
  // matters: it is below one second and the offset is whole minutes.
  const utcSecs = secs - offsetMinutes(s) * 60
  if (y === 0 && mo === 1 && d === 1 && utcSecs < 0) return 'normalizes to a negative year'
  if (y === 9999 && mo === 12 && d === 31 && utcSecs >= DAY_SECONDS) return 'normalizes past year 9999'
  return null
}

export function isValidDatetime(s: string): s is DatetimeString {
  return datetimeProblem(s) === null
}

export function ensureValidDatetime(s: string): asserts s is DatetimeString {
  const problem = datetimeProblem(s)
  if (problem !== null) throw new InvalidSyntaxError('datetime', String(s), problem)
}

/** Days from 1970-01-01 to the given proleptic-Gregorian date (works for year 0). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Validates and converts to a Date (millisecond precision: extra fraction digits are truncated, as Date does). */
export function parseDatetime(s: string): Date {
  ensureValidDatetime(s)
  const days = daysFromCivil(num4(s, 0), num2(s, 5), num2(s, 8))
  const secs = num2(s, 11) * 3600 + num2(s, 14) * 60 + num2(s, 17) - offsetMinutes(s) * 60
  let ms = 0
  if (s.charCodeAt(19) === 46 /* . */) {
    for (let i = 20, scale = 100; scale >= 1; i++, scale /= 10) {
      const c = s.charCodeAt(i) - 48
      if (c < 0 || c > 9) break
      ms += c * scale
    }
  }
  return new Date((days * DAY_SECONDS + secs) * 1000 + ms)
}

/** A Date as the preferred datetime form: `YYYY-MM-DDTHH:MM:SS.sssZ`. Throws outside years 0000-9999. */
export function toDatetimeString(date: Date): DatetimeString {
  const year = date.getUTCFullYear()
  if (!(year >= 0 && year <= 9999)) throw new InvalidSyntaxError('datetime', String(date), 'year outside 0000-9999')
  return date.toISOString() as DatetimeString
}

/** The current time in the preferred form (milliseconds, `Z`). */
export function datetimeNow(): DatetimeString {
  return new Date().toISOString() as DatetimeString
}
