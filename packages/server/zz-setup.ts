import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Secp256k1Keypair } from '@stratus/core/crypto'
import { loadBundledLexicons } from '/work/main/packages/server/src/lexicons/index.ts'
import { openPdsDatabase } from '/work/main/packages/server/src/pds/db/index.ts'
import { PdsBlobs } from '/work/main/packages/server/src/pds/blobs/store.ts'
import { PdsRepo } from '/work/main/packages/server/src/pds/repo/service.ts'
import { Sequencer } from '/work/main/packages/server/src/pds/sequencer/sequencer.ts'
import { prepareRecordWrite } from '/work/main/packages/server/src/pds/repo/prepare.ts'
export async function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'prof-'))
  const db = await openPdsDatabase({ url: `sqlite:${join(dataDir, 'pds.sqlite')}` })
  const seq = new Sequencer(db)
  const blobs = new PdsBlobs(db, { dir: join(dataDir, 'blobs'), maxBytes: 1e6 })
  const key = Secp256k1Keypair.create({ exportable: true })
  const repo = new PdsRepo({ db, blobs, signingKey: () => key, sequencer: () => (process.env.NOSEQ ? undefined : seq) })
  const lexicons = loadBundledLexicons()
  const did = process.env.SHORT ? 'did:web:a.b' : 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'
  db.transact(() => {
    db.stmt(`INSERT INTO account (did, handle, email, password_hash, signing_key, created_at) VALUES (?, 'a.test', 'a@x', null, ?, '2020')`).run(did, key.exportPrivateKeyHex())
    repo.createRepo(did, 'a.test', key)
  })
  const write = (i: number) => repo.processWrites(did, [prepareRecordWrite(lexicons, { action: 'create', collection: 'app.bsky.feed.post', record: { text: 'hello world ' + i, createdAt: new Date().toISOString() } })])
  return { dataDir, db, repo, write, did, lexicons, close: () => { seq.close?.(); return db.close() } }
}
