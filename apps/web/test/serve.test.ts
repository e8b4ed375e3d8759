/**
 * The Node-side serve helper (serve.ts): both modes answer pages with the runtime config injected,
 * deep links (even ones that look like file names, /profile/alice.test) with index.html, /config.json,
 * and refuse missing assets and path traversal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type WebHandler, createWebHandler, injectConfig } from '../serve.ts'

const PDS = 'http://localhost:4583'
const get = (h: WebHandler, path: string) => h.fetch(new Request(`http://web.test${path}`))

describe('injectConfig', () => {
  it('replaces the marker with a script that cannot be closed early', () => {
    const html = injectConfig('<head><!--stratus-config--></head>', { pdsUrl: 'http://x/</script><b>' })
    expect(html).toBe(
      '<head><script>window.__STRATUS__ = {"pdsUrl":"http://x/\\u003c/script>\\u003cb>"}</script></head>',
    )
  })
})

for (const dev of [false, true]) {
  describe(dev ? 'dev mode (Vite middleware)' : 'build mode (one build, static files)', () => {
    let web: WebHandler
    beforeAll(async () => {
      web = await createWebHandler({ pdsUrl: PDS, dev })
    }, 60_000)
    afterAll(() => web?.close())

    it('serves index.html with the runtime config for app paths', async () => {
      for (const path of ['/', '/profile/alice.test', '/profile/did:plc:abc/post/3k2a', '/notifications?x=1']) {
        const res = await get(web, path)
        expect(res.status, path).toBe(200)
        expect(res.headers.get('content-type')).toMatch(/^text\/html/)
        const html = await res.text()
        expect(html).toContain(`window.__STRATUS__ = {"pdsUrl":"${PDS}"}`)
        expect(html).toMatch(/<script type="module"[^>]* src="\/[^"]+"/)
      }
    })

    it('serves /config.json', async () => {
      const res = await get(web, '/config.json')
      expect(await res.json()).toEqual({ pdsUrl: PDS })
    })

    it('serves the app script the page refers to, and the favicon', async () => {
      const html = await (await get(web, '/')).text()
      const src = html.match(/<script type="module"[^>]* src="([^"]+)"/)![1]
      const res = await get(web, src)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/javascript/)
      expect((await get(web, '/favicon.svg')).headers.get('content-type')).toMatch(/^image\/svg\+xml/)
    })

    it('answers 404 for missing assets', async () => {
      expect((await get(web, '/assets/missing-123.js')).status).toBe(404)
      expect((await get(web, '/nope.png')).status).toBe(404)
    })

    if (dev) return // the rest is about the static file server
    it('never serves files outside the build', async () => {
      for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e%2fserve.ts']) {
        const res = await get(web, path)
        expect(await res.text(), path).not.toMatch(/root:|createWebHandler/)
      }
    })

    it('refuses methods other than GET and HEAD', async () => {
      const res = await web.fetch(new Request('http://web.test/', { method: 'POST', body: 'x' }))
      expect(res.status).toBe(405)
    })
  })
}
