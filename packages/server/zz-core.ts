import { Secp256k1Keypair } from '@stratus/core/crypto'
import { MemoryBlockStore, Repo } from '@stratus/core/repo'
import { nextTid } from '@stratus/core/syntax'
const key = Secp256k1Keypair.create()
let repo = Repo.create(new MemoryBlockStore(), 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', key)
const N = 3000
let tf = 0, ta = 0
for (let i = 0; i < N; i++) {
  const a = performance.now()
  const c = repo.formatCommit([{ action: 'create', collection: 'app.bsky.feed.post', rkey: nextTid(), record: { $type: 'app.bsky.feed.post', text: 'hello world ' + i, createdAt: new Date().toISOString() } }], key)
  const b = performance.now()
  repo = repo.applyCommit(c)
  ta += performance.now() - b
  tf += b - a
}
console.log(`format ${(tf / N * 1000).toFixed(0)}µs apply ${(ta / N * 1000).toFixed(0)}µs`)
const t0 = performance.now(); for (let i = 0; i < 2000; i++) key.sign(new Uint8Array(100)); console.log('sign µs', ((performance.now() - t0) / 2000 * 1000).toFixed(0))
