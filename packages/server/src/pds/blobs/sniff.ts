/**
 * Media type from a file's first bytes (magic numbers), for the formats people upload to a PDS: images
 * (PNG, JPEG, GIF, WebP, AVIF, HEIC, BMP, TIFF, ICO), video (MP4, QuickTime, WebM, Matroska), audio (MP3,
 * Ogg, WAV, FLAC) and PDF. Returns undefined when nothing matches, and the uploader's declared type is used.
 * Only the first {@link SNIFF_BYTES} bytes are looked at; this is not a validator of the whole file.
 */

/** How many leading bytes `sniffMimeType` needs. */
export const SNIFF_BYTES = 64

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  if (b.length < at + s.length) return false
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false
  return true
}

const bytesAt = (b: Uint8Array, at: number, sig: number[]): boolean => {
  if (b.length < at + sig.length) return false
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false
  return true
}

/** ISO base media (MP4 family): the `ftyp` box's major brand decides. */
function isoBmff(b: Uint8Array): string | undefined {
  if (!ascii(b, 4, 'ftyp') || b.length < 12) return undefined
  const brand = String.fromCharCode(b[8], b[9], b[10], b[11])
  if (brand === 'avif' || brand === 'avis') return 'image/avif'
  if (brand === 'heic' || brand === 'heix' || brand === 'heim' || brand === 'heis') return 'image/heic'
  if (brand === 'mif1' || brand === 'msf1') return 'image/heif'
  if (brand === 'qt  ') return 'video/quicktime'
  if (brand.startsWith('M4A')) return 'audio/mp4'
  if (brand.startsWith('3gp')) return 'video/3gpp'
  return 'video/mp4'
}

/** Matroska/WebM: the EBML DocType string near the start says which. */
function ebml(b: Uint8Array): string | undefined {
  if (!bytesAt(b, 0, [0x1a, 0x45, 0xdf, 0xa3])) return undefined
  const head = String.fromCharCode(...b.subarray(0, Math.min(b.length, SNIFF_BYTES)))
  return head.includes('webm') ? 'video/webm' : 'video/x-matroska'
}

function riff(b: Uint8Array): string | undefined {
  if (!ascii(b, 0, 'RIFF')) return undefined
  if (ascii(b, 8, 'WEBP')) return 'image/webp'
  if (ascii(b, 8, 'WAVE')) return 'audio/wav'
  if (ascii(b, 8, 'AVI ')) return 'video/x-msvideo'
  return undefined
}

export function sniffMimeType(b: Uint8Array): string | undefined {
  if (bytesAt(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (bytesAt(b, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'image/gif'
  const r = riff(b) ?? isoBmff(b) ?? ebml(b)
  if (r) return r
  if (ascii(b, 0, 'BM') && b.length >= 14 && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0) return 'image/bmp'
  if (bytesAt(b, 0, [0x49, 0x49, 0x2a, 0x00]) || bytesAt(b, 0, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff'
  if (bytesAt(b, 0, [0x00, 0x00, 0x01, 0x00]) && b.length >= 6 && b[4] > 0) return 'image/x-icon'
  if (ascii(b, 0, '%PDF-')) return 'application/pdf'
  if (ascii(b, 0, 'OggS')) return 'audio/ogg'
  if (ascii(b, 0, 'fLaC')) return 'audio/flac'
  if (ascii(b, 0, 'ID3') || (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe6) === 0xe2)) return 'audio/mpeg'
  return undefined
}
