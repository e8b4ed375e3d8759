import { test } from 'vitest'
import { TestNetworkNoAppView } from '@atproto/dev-env'
test('dev-env', async () => {
  const t0 = Date.now()
  const net = await TestNetworkNoAppView.create({})
  console.log('started', Date.now() - t0, net.pds.url, net.plc.url)
  const sc = net.getSeedClient()
  await sc.createAccount('alice', { email: 'a@test.com', handle: 'alice.test', password: 'hunter2' })
  console.log(sc.dids.alice, Object.keys(net.pds.ctx.cfg.service), net.pds.ctx.cfg.service)
  await net.close()
}, 60000)
