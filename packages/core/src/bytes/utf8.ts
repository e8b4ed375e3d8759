/** UTF-8 helpers and the grapheme count used by lexicon `maxGraphemes`. */
const encoder = new TextEncoder()
// ignoreBOM: a leading U+FEFF is content, not a marker; dropping it would change re-encoded bytes.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export const utf8Encode = (str: string): Uint8Array => encoder.encode(str)
/** Throws TypeError on invalid UTF-8. */
export const utf8Decode = (bytes: Uint8Array): string => decoder.decode(bytes)

/** Byte length of the UTF-8 encoding, without allocating. Lone surrogates count as U+FFFD (3 bytes). */
export function utf8Length(str: string): number {
  let len = 0
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i)
    if (c < 0x80) len += 1
    else if (c < 0x800) len += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        len += 4
        i++
      } else len += 3
    } else len += 3
  }
  return len
}

let segmenter: Intl.Segmenter | undefined
/** Number of extended grapheme clusters. */
export function graphemeLength(str: string): number {
  // ASCII without CR: one grapheme per code unit, skip the segmenter.
  if (/^[\x00-\x0c\x0e-\x7f]*$/.test(str)) return str.length
  segmenter ??= new Intl.Segmenter()
  let n = 0
  for (const _ of segmenter.segment(str)) n++
  return n
}
