/**
 * IP literal parsing and the "not on the public internet" test used to refuse fetches to loopback,
 * private, link-local, CGNAT, multicast, reserved and documentation ranges (including IPv4 embedded
 * in IPv6 mapped/NAT64/6to4 forms). Pure string/byte work, browser-safe.
 */

/** Parses dotted-quad IPv4 (the canonical form the WHATWG URL parser produces). */
export function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split('.')
  if (parts.length !== 4) return null
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return null
    const n = Number(parts[i])
    if (n > 255) return null
    out[i] = n
  }
  return out
}

function parseGroups(s: string): number[] | null {
  if (s === '') return []
  const groups: number[] = []
  const parts = s.split(':')
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p)
      if (!v4) return null
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3])
    } else {
      if (!/^[0-9a-f]{1,4}$/i.test(p)) return null
      groups.push(Number.parseInt(p, 16))
    }
  }
  return groups
}

/** Parses an IPv6 literal (optionally in [brackets], no zone id) into 16 bytes. */
export function parseIPv6(input: string): Uint8Array | null {
  const s = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input
  if (!s.includes(':') || s.includes('%')) return null
  const halves = s.split('::')
  if (halves.length > 2) return null
  const head = parseGroups(halves[0])
  const tail = halves.length === 2 ? parseGroups(halves[1]) : []
  if (!head || !tail) return null
  const fill = 8 - head.length - tail.length
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null
  const groups = [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8
    out[i * 2 + 1] = g & 0xff
  })
  return out
}

function inV4(b: Uint8Array, net: [number, number, number, number], bits: number): boolean {
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8))
    if (take === 0) return true
    const mask = (0xff << (8 - take)) & 0xff
    if ((b[i] & mask) !== (net[i] & mask)) return false
  }
  return true
}

const V4_BLOCKED: [[number, number, number, number], number][] = [
  [[0, 0, 0, 0], 8], // "this" network
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // CGNAT
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local (cloud metadata lives here)
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 0, 2, 0], 24],
  [[192, 88, 99, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[198, 51, 100, 0], 24],
  [[203, 0, 113, 0], 24],
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved + broadcast
]

export function isPrivateIPv4(b: Uint8Array): boolean {
  return V4_BLOCKED.some(([net, bits]) => inV4(b, net, bits))
}

function prefixIs(b: Uint8Array, bytes: number[]): boolean {
  return bytes.every((x, i) => b[i] === x)
}

export function isPrivateIPv6(b: Uint8Array): boolean {
  if (b.every((x) => x === 0)) return true // ::
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return true // ::1
  if (prefixIs(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return isPrivateIPv4(b.slice(12)) // v4-mapped
  if (prefixIs(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])) return true // deprecated v4-compatible
  if (prefixIs(b, [0, 0x64, 0xff, 0x9b])) return isPrivateIPv4(b.slice(12)) // NAT64
  if (prefixIs(b, [0x20, 0x02])) return isPrivateIPv4(b.slice(2, 6)) // 6to4
  if (prefixIs(b, [0x20, 0x01, 0x0d, 0xb8])) return true // documentation
  if (prefixIs(b, [0x01, 0, 0, 0, 0, 0, 0, 0])) return true // discard-only
  if ((b[0] & 0xfe) === 0xfc) return true // unique local fc00::/7
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return true // link-local fe80::/10
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return true // site-local (deprecated)
  if (b[0] === 0xff) return true // multicast
  return false
}

/** True for an IP literal outside the public unicast internet; false for public IPs and non-IPs. */
export function isPrivateAddress(address: string): boolean {
  const v4 = parseIPv4(address)
  if (v4) return isPrivateIPv4(v4)
  const v6 = parseIPv6(address)
  if (v6) return isPrivateIPv6(v6)
  return false
}

export function isIpLiteral(host: string): boolean {
  return parseIPv4(host) !== null || parseIPv6(host) !== null
}
