import { type IncomingMessage, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type TestPds, startTestPds } from '../test-util.ts'

let relay: ReturnType<typeof createServer>
let relayUrl: string
const received: { url?: string; method?: string; type?: string; body: string }[] = []
let t: TestPds | undefined

beforeAll(async () => {
  relay = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      received.push({ url: req.url, method: req.method, type: req.headers['content-type'], body })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`
})
afterAll(async () => {
  await t?.close()
  await new Promise((r) => relay.close(r))
})

it('asks every configured relay to crawl on start; an unreachable relay does not stop the PDS', async () => {
  // Port 9 on loopback refuses connections.
  t = await startTestPds({ crawlers: ['http://127.0.0.1:9', relayUrl] })
  for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
  expect(received).toEqual([
    {
      url: '/xrpc/com.atproto.sync.requestCrawl',
      method: 'POST',
      type: 'application/json',
      // the public URL's host, port included: the relay must be able to reach us with it
      body: JSON.stringify({ hostname: new URL(t.url).host }),
    },
  ])
  expect(new URL(t.url).host).toMatch(/^localhost:\d+$/)
  const health = await fetch(`${t.url}/xrpc/_health`)
  expect(health.status).toBe(200)
})
