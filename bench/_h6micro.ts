import { AtpAgent } from '@atproto/api'
import { startTestPds } from '/work/main/packages/server/src/pds/test-util.ts'
import { getAccountByDid } from '/work/main/packages/server/src/pds/accounts/store.ts'
import { getRecord } from '/work/main/packages/server/src/pds/repo/records.ts'
const t = await startTestPds({ rateLimits: false })
const agent = new AtpAgent({ service: t.url })
await agent.createAccount({ handle: 'micro.test', email: 'micro@example.com', password: 'bench-password' })
const did = agent.session!.did
const rkeys: string[] = []
for (let i = 0; i < 300; i++) {
  const r = await agent.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record: { text: 'x' + i, createdAt: new Date().toISOString() } })
  rkeys.push(r.data.uri.split('/').pop()!)
}
const db = (t as any).pds?.ctx?.db ?? (t as any).ctx?.db
const bench = (label: string, fn: (i: number) => unknown) => {
  for (let r = 0; r < 3; r++) {
    const n = 20000
    const t0 = performance.now()
    for (let i = 0; i < n; i++) fn(i)
    console.log(label, (((performance.now() - t0) * 1000) / n).toFixed(2), 'µs')
  }
}
bench('getAccountByDid', () => getAccountByDid(db, did))
bench('getRecord', (i) => getRecord(db, did, 'app.bsky.feed.post', rkeys[i % 300]))
bench('select 1', () => db.stmt('SELECT 1').get())
console.log(db.sqlite.pragma('wal_checkpoint(TRUNCATE)'), db.sqlite.pragma('cache_size'), db.sqlite.pragma('mmap_size'))
bench('getAccountByDid after ckpt', () => getAccountByDid(db, did))
bench('getRecord after ckpt', (i) => getRecord(db, did, 'app.bsky.feed.post', rkeys[i % 300]))
bench('in txn getAccountByDid', () => db.sqlite.transaction(() => getAccountByDid(db, did))())
const st = db.sqlite.prepare('SELECT did FROM account WHERE did = ?')
bench('select did only', () => st.get(did))
db.sqlite.pragma('locking_mode=EXCLUSIVE'); db.sqlite.exec('BEGIN IMMEDIATE; COMMIT')
bench('EXCL getAccountByDid', () => getAccountByDid(db, did))
bench('EXCL select did only', () => st.get(did))
bench('EXCL getRecord', (i) => getRecord(db, did, 'app.bsky.feed.post', rkeys[i % 300]))
process.exit(0)
