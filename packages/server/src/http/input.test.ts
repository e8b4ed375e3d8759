import http from 'node:http'
import { gzipSync } from 'node:zlib'
import { CID } from '@stratus/core/data'
import { describe, expect, it } from 'vitest'
import type { XrpcRouter } from './index.ts'
import { cid, errorOf, json, lexicons, post, rawStatus, routerHarness } from './test-util.ts'

const start = routerHarness()

describe('XRPC router: input', () => {
  const setup = (r: XrpcRouter) => {
    r.procedure('com.example.createThing', ({ input }) => {
      const body = input?.body as { name: string; ref?: CID; data?: Uint8Array }
      if (body.ref && !(body.ref instanceof CID)) throw new Error('ref should be a CID')
      return json({ name: body.name, ...(body.ref ? { ref: body.ref } : {}) })
    })
    r.procedure('com.example.upload', ({ input }) =>
      json({ size: (input!.body as Uint8Array).byteLength, type: input?.encoding }),
    )
    r.procedure('com.example.imageOnly', ({ input }) => json({ type: input?.encoding }))
    r.procedure('com.example.noInput', ({ input }) => json({ input: input === undefined }))
  }

  it('parses JSON into data-model values and serialises them back', async () => {
    const s = await start(setup)
    const res = await post(
      `${s.url}/xrpc/com.example.createThing`,
      JSON.stringify({ name: 'x', ref: { $link: cid.toString() } }),
      'application/json; charset=utf-8',
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toEqual({ name: 'x', ref: { $link: cid.toString() } })
  })

  it('rejects malformed JSON, invalid UTF-8, absurd nesting and lexicon violations with 400', async () => {
    const s = await start(setup)
    const url = `${s.url}/xrpc/com.example.createThing`
    const cases: [BodyInit, RegExp][] = [
      ['{"name": "x",', /Invalid JSON/],
      ['', /Invalid JSON/],
      [new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /UTF-8/],
      ['['.repeat(100_000) + ']'.repeat(100_000), /nested|Invalid/],
      [JSON.stringify({ name: 'much too long for this' }), /name must not be longer than 10/],
      [JSON.stringify({ nom: 'x' }), /name/],
      [JSON.stringify({ name: 'x', ref: 'not-a-cid' }), /ref/],
      ['"just a string"', /object/],
    ]
    for (const [body, msg] of cases) {
      const [status, error, message] = await errorOf(await post(url, body, 'application/json'))
      expect([status, error], String(message)).toEqual([400, 'InvalidRequest'])
      expect(message).toMatch(msg)
    }
  })

  it('checks the content type against the declared encoding', async () => {
    const s = await start(setup)
    const wrong = await errorOf(await post(`${s.url}/xrpc/com.example.createThing`, '{"name":"x"}', 'text/plain'))
    expect(wrong).toEqual([400, 'InvalidRequest', 'Wrong request encoding (Content-Type): text/plain'])
    const none = await errorOf(await post(`${s.url}/xrpc/com.example.createThing`, new Uint8Array([1]), undefined))
    expect(none[2]).toMatch(/Content-Type\) required/)
    const missing = await errorOf(await post(`${s.url}/xrpc/com.example.createThing`, undefined, undefined))
    expect(missing[0]).toBe(400)
    expect(await (await post(`${s.url}/xrpc/com.example.imageOnly`, new Uint8Array([1]), 'image/png')).json()).toEqual({
      type: 'image/png',
    })
    expect((await post(`${s.url}/xrpc/com.example.imageOnly`, new Uint8Array([1]), 'video/mp4')).status).toBe(400)
    const unexpected = await errorOf(await post(`${s.url}/xrpc/com.example.noInput`, '{}', 'application/json'))
    expect(unexpected).toEqual([400, 'InvalidRequest', 'A request body was provided when none was expected'])
    expect(await (await post(`${s.url}/xrpc/com.example.noInput`, undefined, undefined)).json()).toEqual({
      input: true,
    })
  })

  it('accepts any type for */* input, gzip bodies, and rejects broken compression', async () => {
    const s = await start(setup)
    const url = `${s.url}/xrpc/com.example.upload`
    expect(await (await post(url, new Uint8Array(1000), 'application/octet-stream')).json()).toEqual({
      size: 1000,
      type: 'application/octet-stream',
    })
    const zipped = gzipSync(Buffer.alloc(5000, 7))
    expect(await (await post(url, zipped, 'image/png', { 'content-encoding': 'gzip' })).json()).toEqual({
      size: 5000,
      type: 'image/png',
    })
    expect((await post(url, Buffer.from('not gzip'), 'image/png', { 'content-encoding': 'gzip' })).status).toBe(400)
    expect((await post(url, Buffer.from('x'), 'image/png', { 'content-encoding': 'br' })).status).toBe(415)
  })

  it('answers 413 from Content-Length before any of the body is sent', async () => {
    let called = false
    const s = await start(
      (r) =>
        r.procedure('com.example.upload', () => {
          called = true
          return undefined
        }),
      { lexicons, maxBodyBytes: 1000 },
    )
    const status = await rawStatus(
      s.port,
      'POST /xrpc/com.example.upload HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000000000\r\n\r\n',
    )
    expect(status).toBe('HTTP/1.1 413 Payload Too Large')
    expect(called).toBe(false)
  })

  it('answers 413 mid-upload for chunked bodies, long before the client has finished sending', async () => {
    const s = await start((r) => setup(r), { lexicons, maxBodyBytes: 64 * 1024 })
    const req = http.request(`${s.url}/xrpc/com.example.upload`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', 'transfer-encoding': 'chunked' },
    })
    req.on('error', () => {})
    let sent = 0
    let answered: http.IncomingMessage | undefined
    req.on('response', (res) => {
      answered = res
    })
    // Keep sending until the server answers (it must, after ~64 KiB) or we reach 50 MiB.
    while (!answered && sent < 50 * 1024 * 1024) {
      const chunk = Buffer.alloc(64 * 1024)
      sent += chunk.length
      if (!req.write(chunk)) await new Promise((r) => setTimeout(r, 5))
    }
    expect(answered?.statusCode).toBe(413)
    expect(sent).toBeLessThan(20 * 1024 * 1024)
    req.destroy()
    // JSON bodies too.
    const big = JSON.stringify({ name: 'x', pad: 'y'.repeat(100 * 1024) })
    expect((await errorOf(await post(`${s.url}/xrpc/com.example.createThing`, big, 'application/json')))[0]).toBe(413)
  })

  it('streams input to handlers that ask for it, enforcing the limit while iterating', async () => {
    const s = await start(
      (r) =>
        r.procedure(
          'com.example.upload',
          async ({ input }) => {
            let n = 0
            for await (const chunk of input!.body as AsyncIterable<Uint8Array>) n += chunk.byteLength
            return json({ size: n })
          },
          { streamInput: true, maxBodyBytes: 3 * 1024 * 1024 },
        ),
      { lexicons, maxBodyBytes: 10 },
    )
    const url = `${s.url}/xrpc/com.example.upload`
    expect(await (await post(url, new Uint8Array(2 * 1024 * 1024), 'video/mp4')).json()).toEqual({
      size: 2 * 1024 * 1024,
    })
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(512 * 1024))
        c.close()
      },
    })
    const res = await fetch(url, {
      method: 'POST',
      body: chunked,
      headers: { 'content-type': 'video/mp4' },
      duplex: 'half',
    } as RequestInit).catch((e) => e)
    // Either the 413 arrives, or the server cut the upload short (the client saw the connection close).
    if (res instanceof Response) expect(res.status).toBe(413)
    else expect(res).toBeInstanceOf(Error)
  })
  it('gives stream routes the raw bytes of any content type, JSON included (not parsed, not validated)', async () => {
    const seen: { type: string; text: string }[] = []
    const s = await start(
      (r) =>
        r.procedure(
          'com.example.upload',
          async ({ input }) => {
            const parts: Uint8Array[] = []
            for await (const chunk of input!.body as AsyncIterable<Uint8Array>) parts.push(chunk)
            seen.push({ type: input!.encoding, text: Buffer.concat(parts).toString('utf8') })
            return json({ ok: true })
          },
          { streamInput: true },
        ),
      { lexicons },
    )
    const url = `${s.url}/xrpc/com.example.upload`
    // Not valid JSON, and valid JSON: both arrive byte for byte.
    expect((await post(url, '{"not": json', 'application/json')).status).toBe(200)
    expect((await post(url, '{"a":1}', 'application/json')).status).toBe(200)
    expect(seen).toEqual([
      { type: 'application/json', text: '{"not": json' },
      { type: 'application/json', text: '{"a":1}' },
    ])
  })
})
