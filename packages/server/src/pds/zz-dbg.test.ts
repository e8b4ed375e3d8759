import { it } from 'vitest'
import { newAccount } from './repo/test-helpers.ts'
import { startTestPds } from './test-util.ts'
it('dbg', async () => {
  const t = await startTestPds({ rateLimits: false })
  t.pds.ctx.logger.level = 'error'
  const a = await newAccount(t, 'alice')
  const r = await fetch(`${t.url}/xrpc/com.atproto.repo.describeRepo?repo=alice.test`)
  console.log(await r.text())
  await t.close()
})
