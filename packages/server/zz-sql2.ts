import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const db = new Database(join(mkdtempSync(join(tmpdir(), 'sq-')), 'x.db'))
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL')
db.exec('CREATE TABLE ev (seq INTEGER PRIMARY KEY, did TEXT, payload BLOB, t TEXT)')
const ev = db.prepare('INSERT INTO ev (did, payload, t) VALUES (?, ?, ?)')
const p = randomBytes(1200)
const tx = db.transaction(() => { ev.run('x', p, 'now') })
for (let r = 0; r < 3; r++) {
const N = 5000
let t0 = performance.now()
for (let i = 0; i < N; i++) tx.immediate()
console.log('1 insert txn', ((performance.now() - t0) / N * 1000).toFixed(0), 'µs')
t0 = performance.now()
for (let i = 0; i < N; i++) ev.run('x', p, 'now')
console.log('autocommit insert', ((performance.now() - t0) / N * 1000).toFixed(0), 'µs')
const tx2 = db.transaction(() => { for (let i = 0; i < N; i++) ev.run('x', p, 'now') })
t0 = performance.now(); tx2(); console.log('insert in big txn', ((performance.now() - t0) / N * 1000).toFixed(0), 'µs')
}
