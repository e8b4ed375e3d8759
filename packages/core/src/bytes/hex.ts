/** Lowercase hexadecimal. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]]
  return out
}

export function fromHex(str: string): Uint8Array {
  if (str.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(str)) throw new SyntaxError('invalid hex string')
  const out = new Uint8Array(str.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(str.slice(i * 2, i * 2 + 2), 16)
  return out
}
