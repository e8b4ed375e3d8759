/** Media-type sniffing from magic bytes, one sample per format, and the fallbacks. */
import { describe, expect, it } from 'vitest'
import { SNIFF_BYTES, sniffMimeType } from './sniff.ts'

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))
const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? ascii(p) : p)).concat(new Array(32).fill(0)))
const box = (brand: string) => bytes([0, 0, 0, 0x20], 'ftyp', brand, [0, 0, 0, 0])

describe('sniffMimeType', () => {
  const cases: [string, Uint8Array, string][] = [
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe1]), 'image/jpeg'],
    ['GIF87a', bytes('GIF87a'), 'image/gif'],
    ['GIF89a', bytes('GIF89a'), 'image/gif'],
    ['WebP', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'image/webp'],
    ['WAV', bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), 'audio/wav'],
    ['MP4 (isom)', box('isom'), 'video/mp4'],
    ['MP4 (mp42)', box('mp42'), 'video/mp4'],
    ['QuickTime', box('qt  '), 'video/quicktime'],
    ['AVIF', box('avif'), 'image/avif'],
    ['HEIC', box('heic'), 'image/heic'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], 'webm'), 'video/webm'],
    ['Matroska', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska'), 'video/x-matroska'],
    ['TIFF (LE)', bytes([0x49, 0x49, 0x2a, 0x00]), 'image/tiff'],
    ['PDF', bytes('%PDF-1.7'), 'application/pdf'],
    ['Ogg', bytes('OggS'), 'audio/ogg'],
    ['FLAC', bytes('fLaC'), 'audio/flac'],
    ['MP3 with ID3', bytes('ID3', [4, 0]), 'audio/mpeg'],
  ]
  for (const [name, sample, type] of cases) {
    it(`${name} → ${type}`, () => expect(sniffMimeType(sample)).toBe(type))
  }

  it('returns undefined for text, unknown and truncated input', () => {
    expect(sniffMimeType(bytes('hello world'))).toBeUndefined()
    expect(sniffMimeType(new Uint8Array(0))).toBeUndefined()
    expect(sniffMimeType(new Uint8Array([0x89, 0x50]))).toBeUndefined()
    expect(sniffMimeType(bytes('RIFF', [1, 2, 3, 4], 'XXXX'))).toBeUndefined()
  })

  it('needs only the first SNIFF_BYTES bytes', () => {
    const long = new Uint8Array(10_000)
    long.set(box('isom'))
    expect(sniffMimeType(long.subarray(0, SNIFF_BYTES))).toBe('video/mp4')
  })
})
