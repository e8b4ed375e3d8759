import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { Repo } from '@stratus/core/repo'
import { createContext } from '/work/main/packages/server/src/pds/context.ts'
import { resolveConfig } from '/work/main/packages/server/src/pds/config.ts'
import { prepareRecordWrite } from '/work/main/packages/server/src/pds/repo/prepare.ts'
import { AccountBlockStore } from '/work/main/packages/server/src/pds/repo/block-store.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'prof-'))
const cfg = resolveConfig({ hostname: 'localhost', port: 0, devMode: true, logLevel: 'silent', plcUrl: 'http://127.0.0.1:1', dataDir, rateLimits: false })
const ctx = await createContext(cfg)
const did = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const key = Secp256k1Keypair.create({ exportable: true })
ctx.db.transact(() => {
  ctx.db.stmt(`INSERT INTO account (did, handle, email, password_hash, signing_key, created_at) VALUES (?, 'a.test', 'a@x', null, ?, '2020')`).run(did, key.exportPrivateKeyHex())
  ctx.repo!.createRepo(did, 'a.test', key)
})
const T: Record<string, number> = {}
const wrap = (obj: any, name: string, label: string) => { const f = obj[name]; obj[name] = function (...a: any[]) { const t = performance.now(); try { return f.apply(this, a) } finally { T[label] = (T[label] ?? 0) + performance.now() - t } } }
wrap(Repo.prototype, 'formatCommit', 'formatCommit')
wrap(AccountBlockStore.prototype, 'applyCommit', 'store.applyCommit')
wrap(ctx.repo as any, 'indexWrites', 'indexWrites')
wrap(ctx.sequencer as any, 'sequenceCommit', 'sequenceCommit')
wrap(ctx.repo as any, 'processWrites', 'processWrites')
const N = Number(process.argv[2] ?? 2000)
for (let i = 0; i < N; i++) {
  const w = prepareRecordWrite(ctx.lexicons, { action: 'create', collection: 'app.bsky.feed.post', record: { text: 'hello world ' + i, createdAt: new Date().toISOString() } })
  ctx.repo!.processWrites(did, [w])
}
for (const [k, v] of Object.entries(T)) console.log(k.padEnd(20), (v / N * 1000).toFixed(0), 'µs')
await ctx.close()
