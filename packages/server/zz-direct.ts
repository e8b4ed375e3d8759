import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { createContext } from '/work/main/packages/server/src/pds/context.ts'
import { resolveConfig } from '/work/main/packages/server/src/pds/config.ts'
import { prepareRecordWrite } from '/work/main/packages/server/src/pds/repo/prepare.ts'

const dataDir = mkdtempSync(join(tmpdir(), 'prof-'))
const cfg = resolveConfig({ hostname: 'localhost', port: 0, devMode: true, logLevel: 'silent', plcUrl: 'http://127.0.0.1:1', dataDir, rateLimits: false })
const ctx = await createContext(cfg)
const did = 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
const key = Secp256k1Keypair.create({ exportable: true })
ctx.db.transact(() => {
  ctx.db.stmt(`INSERT INTO account (did, handle, email, password_hash, signing_key, created_at) VALUES (?, 'a.test', 'a@x', null, ?, '2020')`).run(did, key.exportPrivateKeyHex())
  ctx.repo!.createRepo(did, 'a.test', key)
})
const N = Number(process.argv[2] ?? 2000)
let t0 = performance.now()
let tPrep = 0, tProc = 0
for (let i = 0; i < N; i++) {
  const a = performance.now()
  const w = prepareRecordWrite(ctx.lexicons, { action: 'create', collection: 'app.bsky.feed.post', record: { text: 'hello world ' + i, createdAt: new Date().toISOString() } })
  const b = performance.now()
  ctx.repo!.processWrites(did, [w])
  tProc += performance.now() - b
  tPrep += b - a
}
const el = performance.now() - t0
console.log(`direct ${(N / (el / 1000)).toFixed(0)}/s  prep ${(tPrep / N * 1000).toFixed(0)}µs  proc ${(tProc / N * 1000).toFixed(0)}µs`)
await ctx.close()
