import { AtpAgent } from '@atproto/api'
import { startTestPds } from '/work/main/packages/server/src/pds/test-util.ts'
const t = await startTestPds({ rateLimits: false })
const agent = new AtpAgent({ service: t.url })
await agent.createAccount({ handle: 'alice.test', email: 'a@example.com', password: 'pw' })
const did = agent.session!.did
const uris: string[] = []
const mode = process.argv[2] ?? 'write'
const N = Number(process.argv[3] ?? 300)
let t0 = performance.now()
for (let i = 0; i < (mode === 'write' ? N : 50); i++) uris.push((await agent.post({ text: 'hello ' + i })).uri)
if (mode === 'write') console.log('agent.post/s', (N / ((performance.now() - t0) / 1000)).toFixed(0))
if (mode === 'read') {
  t0 = performance.now()
  for (let i = 0; i < N; i++) await agent.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey: uris[i % 50].split('/').pop()! })
  console.log('getRecord/s', (N / ((performance.now() - t0) / 1000)).toFixed(0))
  t0 = performance.now()
  for (let i = 0; i < N; i++) await (await fetch(`${t.url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=app.bsky.feed.post&rkey=${uris[i % 50].split('/').pop()}`)).json()
  console.log('fetch getRecord/s', (N / ((performance.now() - t0) / 1000)).toFixed(0))
}
await t.close()
