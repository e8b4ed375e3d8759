import { describe, expect, it } from 'vitest'
import * as ws from 'ws'
import { wsBinaryMessages } from './wire.ts'

// ws's own frame parser (exported at runtime, not in its types), as a client runs it on the relay's bytes.
const { Receiver } = ws as unknown as { Receiver: new (opts: object) => import('node:stream').Writable }

describe('wsBinaryMessages', () => {
  it('frames a batch as WebSocket binary messages a client parses back to the same payloads', async () => {
    const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]
    const frames = sizes.map((n, i) => ({ frame: Uint8Array.from({ length: n }, (_, j) => (i * 31 + j) & 0xff) }))
    const wire = wsBinaryMessages(frames)
    const got: Buffer[] = []
    const r = new Receiver({ binaryType: 'nodebuffer', isServer: false, maxPayload: 0 })
    r.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(true)
      got.push(Buffer.from(data))
    })
    // Split at awkward places: a client sees the batch in arbitrary chunks.
    for (let at = 0; at < wire.length; at += 4093) r.write(wire.subarray(at, at + 4093))
    await new Promise((resolve) => setImmediate(resolve))
    expect(got.map((b) => b.length)).toEqual(sizes)
    for (let i = 0; i < sizes.length; i++) expect(got[i].equals(Buffer.from(frames[i].frame))).toBe(true)
  })
})
