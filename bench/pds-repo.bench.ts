/**
 * PDS record writes and reads through HTTP with the official client (@atproto/api AtpAgent), ours vs the
 * official @atproto/pds (started by @atproto/dev-env's TestNetworkNoAppView, rate limits off on both),
 * same process, same machine, same load: sequential createRecord/s on one account, and getRecord/s.
 * Both PDSes keep their default durability (WAL, synchronous=NORMAL: an acknowledged write survives a
 * process kill). Runs are interleaved so background load on the machine hits both alike.
 */
import { AtpAgent } from '@atproto/api'
import { TestNetworkNoAppView } from '@atproto/dev-env'
import { startTestPds } from '../packages/server/src/pds/test-util.ts'
import { type Measured, printComparison } from './lib.ts'

const ROUNDS = 3
const WRITES_PER_ROUND = Number(process.env.PDS_BENCH_WRITES ?? 300)
const READS_PER_ROUND = Number(process.env.PDS_BENCH_READS ?? 300)

async function newAgent(service: string, handle: string): Promise<AtpAgent> {
  const agent = new AtpAgent({ service })
  await agent.createAccount({ handle, email: `${handle.split('.')[0]}@example.com`, password: 'bench-password' })
  return agent
}

async function timeWrites(agent: AtpAgent, n: number, tag: string): Promise<{ ms: number; uris: string[] }> {
  const uris: string[] = []
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const res = await agent.post({ text: `${tag} post ${i}`, createdAt: new Date().toISOString() })
    uris.push(res.uri)
  }
  return { ms: performance.now() - t0, uris }
}

async function timeReads(agent: AtpAgent, uris: string[], n: number): Promise<number> {
  const did = agent.session?.did as string
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const rkey = uris[i % uris.length].split('/').pop() as string
    await agent.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.feed.post', rkey })
  }
  return performance.now() - t0
}

function rate(name: string, count: number, ms: number): Measured {
  return { name, opsPerSec: (count * 1000) / ms, usPerOp: (ms * 1000) / count }
}

export default async function () {
  const ours = await startTestPds({ rateLimits: false })
  const official = await TestNetworkNoAppView.create({ pds: { rateLimitsEnabled: false } } as never)
  try {
    const a = await newAgent(ours.url, 'bench-ours.test')
    const b = await newAgent(official.pds.url, 'bench-off.test')
    await timeWrites(a, 20, 'warm')
    await timeWrites(b, 20, 'warm')
    const w = { ours: 0, official: 0 }
    const r = { ours: 0, official: 0 }
    let urisA: string[] = []
    let urisB: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const x = await timeWrites(a, WRITES_PER_ROUND, `r${round}`)
      const y = await timeWrites(b, WRITES_PER_ROUND, `r${round}`)
      w.ours += x.ms
      w.official += y.ms
      urisA = urisA.concat(x.uris)
      urisB = urisB.concat(y.uris)
      r.ours += await timeReads(a, urisA, READS_PER_ROUND)
      r.official += await timeReads(b, urisB, READS_PER_ROUND)
    }
    printComparison(`createRecord (agent.post), sequential, one account, ${ROUNDS}×${WRITES_PER_ROUND}`, [
      rate('stratus pds', ROUNDS * WRITES_PER_ROUND, w.ours),
      rate('@atproto/pds', ROUNDS * WRITES_PER_ROUND, w.official),
    ])
    printComparison(`getRecord, sequential, ${ROUNDS}×${READS_PER_ROUND}`, [
      rate('stratus pds', ROUNDS * READS_PER_ROUND, r.ours),
      rate('@atproto/pds', ROUNDS * READS_PER_ROUND, r.official),
    ])
  } finally {
    await ours.close()
    await official.close()
  }
}
