/** IP literal parsing and the private/loopback classification behind the fetch policy. */
import { describe, expect, it } from 'vitest'
import { isIpLiteral, isPrivateAddress, parseIPv4, parseIPv6 } from './ip.ts'

describe('isPrivateAddress', () => {
  const priv = [
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '192.0.2.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
    '2001:db8::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
  ]
  const pub = [
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::',
    'example.com',
    '',
  ]
  for (const a of priv) it(`${a} is private`, () => expect(isPrivateAddress(a)).toBe(true))
  for (const a of pub) it(`${a || '(empty)'} is not private`, () => expect(isPrivateAddress(a)).toBe(false))
})

describe('parsing', () => {
  it('parses and rejects IPv4', () => {
    expect(parseIPv4('1.2.3.4')).toEqual(Uint8Array.from([1, 2, 3, 4]))
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', 'a.b.c.d', '1.2.3.4 '])
      expect(parseIPv4(bad)).toBeNull()
  })
  it('parses and rejects IPv6', () => {
    expect(parseIPv6('::1')?.[15]).toBe(1)
    expect(parseIPv6('1:2:3:4:5:6:7:8')?.[15]).toBe(8)
    expect(parseIPv6('::ffff:1.2.3.4')?.slice(12)).toEqual(Uint8Array.from([1, 2, 3, 4]))
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', ':::', '1:2:3:4:5:6:7'])
      expect(parseIPv6(bad)).toBeNull()
    expect(isIpLiteral('[2001:db8::1]')).toBe(true)
    expect(isIpLiteral('example.com')).toBe(false)
  })
})
