import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
function run(design: string, pragmas: string[] = []) {
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'sq-')), 'x.db'))
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL')
  for (const p of pragmas) db.pragma(p)
  const key = design.includes('int') ? 'INTEGER' : 'TEXT'
  if (design.startsWith('rowid')) db.exec(`CREATE TABLE b (did ${key} NOT NULL, cid BLOB NOT NULL, bytes BLOB NOT NULL, refs INTEGER NOT NULL); CREATE UNIQUE INDEX bi ON b (did, cid)`)
  else db.exec(`CREATE TABLE b (did ${key} NOT NULL, cid BLOB NOT NULL, bytes BLOB NOT NULL, refs INTEGER NOT NULL, PRIMARY KEY (did, cid)) WITHOUT ROWID`)
  db.exec('CREATE TABLE r (did TEXT PRIMARY KEY, cid BLOB, rev TEXT, t TEXT)')
  db.exec('CREATE TABLE rec (did TEXT, c TEXT, k TEXT, cid BLOB, rev TEXT, t TEXT, PRIMARY KEY (did,c,k)) WITHOUT ROWID')
  db.exec('CREATE TABLE ev (seq INTEGER PRIMARY KEY, did TEXT, payload BLOB, t TEXT)')
  const ins = db.prepare('INSERT INTO b VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET refs = refs + excluded.refs')
  const up = db.prepare('UPDATE b SET refs = refs + ? WHERE did = ? AND cid = ?')
  const del = db.prepare('DELETE FROM b WHERE did = ? AND cid = ? AND refs <= 0')
  const root = db.prepare('INSERT INTO r VALUES (?, ?, ?, ?) ON CONFLICT (did) DO UPDATE SET cid = excluded.cid')
  const rec = db.prepare('INSERT INTO rec VALUES (?, ?, ?, ?, ?, ?)')
  const ev = db.prepare('INSERT INTO ev (did, payload, t) VALUES (?, ?, ?)')
  const dids = Array.from({ length: 50 }, (_, i) => design.includes('int') ? i : 'did:plc:aaaaaaaaaaaaaaaaaaaaa' + String(i).padStart(3, '0'))
  const prevs = new Map<unknown, Buffer[]>()
  // prefill
  const tx = db.transaction((i: number, did: unknown) => {
    const prev = prevs.get(did) ?? []
    const news = Array.from({ length: 5 }, () => randomBytes(36))
    for (const c of news) ins.run(did, c, randomBytes(i % 5 === 0 ? 1500 : 300), 1)
    for (const c of prev.slice(0, 3)) { up.run(-1, did, c); del.run(did, c) }
    prevs.set(did, news)
    root.run(String(did), news[0], 'rev' + i, 'now')
    rec.run(String(did), 'app.bsky.feed.post', 'k' + String(i).padStart(8, '0'), news[1], 'rev', 'now')
    ev.run(String(did), randomBytes(1200), 'now')
  })
  for (let i = 0; i < 20000; i++) tx.immediate(i, dids[i % 50])
  const N = 5000
  const t0 = performance.now()
  for (let i = 0; i < N; i++) tx.immediate(i + 20000, dids[0])
  return (performance.now() - t0) / N * 1000
}
const variants: [string, string[]][] = [['base', []], ['cache64', ['cache_size = -65536']], ['mmap', ['mmap_size = 268435456']], ['ckpt', ['wal_autocheckpoint = 10000']], ['all', ['cache_size = -65536', 'mmap_size = 268435456', 'wal_autocheckpoint = 10000']]]
for (let round = 0; round < 2; round++)
  for (const [n, p] of variants) console.log(n, run('rowid', p).toFixed(0), 'µs/txn')
