import { AtpAgent } from '@atproto/api'
import { it } from 'vitest'
import { startTestPds } from './test-util.ts'
import { prepareRecordWrite } from './repo/prepare.ts'

it('smoke', async () => {
  const t = await startTestPds({ rateLimits: false })
  try {
    const agent = new AtpAgent({ service: t.url })
    await agent.createAccount({ handle: 'alice.test', email: 'a@example.com', password: 'pw' })
    const did = agent.session!.did
    const ctx = t.pds.ctx
    let t0 = performance.now()
    for (let i = 0; i < 300; i++) {
      const w = prepareRecordWrite(ctx.lexicons, { action: 'create', collection: 'app.bsky.feed.post', record: { text: 'x' + i, createdAt: new Date().toISOString() } })
      ctx.repo!.processWrites(did, [w])
    }
    console.log('direct/s', 300 / ((performance.now() - t0) / 1000))
    t0 = performance.now()
    for (let i = 0; i < 300; i++) await fetch(`${t.url}/xrpc/_health`)
    console.log('health/s', 300 / ((performance.now() - t0) / 1000))
    const tok = agent.session!.accessJwt
    t0 = performance.now()
    for (let i = 0; i < 300; i++) {
      const r = await fetch(`${t.url}/xrpc/com.atproto.repo.createRecord`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` }, body: JSON.stringify({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'y' + i, createdAt: new Date().toISOString() } }) })
      await r.json()
    }
    console.log('fetch createRecord/s', 300 / ((performance.now() - t0) / 1000))
    t0 = performance.now()
    for (let i = 0; i < 300; i++) await agent.post({ text: 'post ' + i })
    console.log('agent createRecord/s', 300 / ((performance.now() - t0) / 1000))
  } finally {
    await t.close()
  }
}, 60000)
