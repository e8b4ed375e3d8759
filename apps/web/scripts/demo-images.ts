/**
 * Procedurally drawn demo pictures (no image files in the repository): small landscapes and avatars as
 * PNG bytes, deterministic so screenshots are reproducible.
 */
import { makePng } from '../test/png.ts'

type RGB = [number, number, number]

const mix = (a: RGB, b: RGB, t: number): RGB => [
  Math.round(a[0] + (b[0] - a[0]) * t),
  Math.round(a[1] + (b[1] - a[1]) * t),
  Math.round(a[2] + (b[2] - a[2]) * t),
]
const clamp = (t: number) => Math.max(0, Math.min(1, t))

const W = 640
const H = 420

export const demoImages = {
  sunset: () =>
    makePng(W, H, (x, y) => {
      const horizon = H * 0.62
      const sun = Math.hypot(x - W * 0.5, y - horizon + 30) < 46
      if (y < horizon) return sun ? [255, 214, 120] : mix([88, 44, 120], [255, 140, 70], clamp(y / horizon))
      const glitter = Math.abs(x - W * 0.5) < 30 - (y - horizon) * 0.05 && Math.sin(y * 0.9) > 0.2
      return glitter ? [255, 190, 110] : mix([190, 90, 70], [20, 40, 80], clamp((y - horizon) / (H - horizon)))
    }),
  mountains: () =>
    makePng(W, H, (x, y) => {
      const far = H * 0.45 + Math.sin(x * 0.012) * 40 + Math.sin(x * 0.031) * 18
      const near = H * 0.62 + Math.sin(x * 0.008 + 2) * 55 + Math.sin(x * 0.05) * 8
      if (y > near) return mix([46, 62, 86], [22, 30, 44], clamp((y - near) / 120))
      if (y > far) return mix([120, 110, 160], [84, 90, 130], clamp((y - far) / 100))
      return mix([250, 190, 200], [150, 200, 240], clamp(1 - y / far))
    }),
  forest: () =>
    makePng(W, H, (x, y) => {
      const cell = Math.floor(x / 40)
      const cx = cell * 40 + 20
      const top = H * 0.3 + ((cell * 37) % 5) * 14
      const tree = y > top && Math.abs(x - cx) < ((y - top) / (H - top)) * 26 + 2
      if (tree) return mix([40, 110, 60], [18, 60, 34], clamp((y - top) / (H - top)))
      return mix([214, 236, 220], [150, 196, 160], clamp(y / H))
    }),
  lake: () =>
    makePng(W, H, (x, y) => {
      const shore = H * 0.5
      const ridge = shore - 60 - Math.sin(x * 0.015) * 30
      const mirrored = y > shore ? 2 * shore - y : y
      const ripple = y > shore ? Math.sin(y * 0.6 + x * 0.02) * 0.06 : 0
      const base: RGB = mirrored > ridge ? [52, 92, 76] : mix([170, 210, 236], [236, 244, 250], clamp(mirrored / ridge))
      return y > shore ? mix(base, [40, 70, 110], clamp(0.35 + ripple)) : base
    }),
  stars: () =>
    makePng(W, H, (x, y) => {
      const h = ((x * 73856093) ^ (y * 19349663)) >>> 0
      if (h % 997 === 0) return [255, 255, 240]
      if (h % 331 === 0) return [160, 170, 210]
      const band = Math.exp(-(((y - H * 0.4 - (x - W / 2) * 0.3) / 60) ** 2)) * 0.25
      return mix([8, 12, 34], [70, 60, 120], clamp(band + y / H / 4))
    }),
  dunes: () =>
    makePng(W, H, (x, y) => {
      const d1 = H * 0.5 + Math.sin(x * 0.01) * 40
      const d2 = H * 0.7 + Math.sin(x * 0.014 + 1.5) * 30
      if (y > d2) return mix([214, 150, 90], [170, 104, 60], clamp((y - d2) / 100))
      if (y > d1) return mix([236, 186, 120], [204, 140, 84], clamp((y - d1) / 90))
      return mix([120, 180, 230], [240, 226, 200], clamp(y / d1))
    }),
}

const AVATAR_COLORS: Record<string, [RGB, RGB]> = {
  alice: [
    [236, 112, 99],
    [250, 215, 160],
  ],
  bob: [
    [52, 152, 219],
    [174, 214, 241],
  ],
  carol: [
    [39, 174, 96],
    [171, 235, 198],
  ],
  dan: [
    [142, 68, 173],
    [215, 189, 226],
  ],
}

/** A 200×200 avatar: a soft two-tone background with a head-and-shoulders silhouette. */
export function demoAvatar(name: string) {
  const [bg, fg] = AVATAR_COLORS[name] ?? AVATAR_COLORS.bob
  return makePng(200, 200, (x, y) => {
    const head = Math.hypot(x - 100, y - 82) < 38
    const body = Math.hypot((x - 100) * 0.8, y - 200) < 72
    return head || body ? fg : mix(bg, [255, 255, 255], clamp(y / 600))
  })
}
