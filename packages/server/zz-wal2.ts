import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setup } from './zz-setup.ts'
const s = await setup()
for (let i = 0; i < 3000; i++) s.write(i)
s.db.sqlite.pragma('wal_checkpoint(TRUNCATE)')
s.db.sqlite.pragma('wal_autocheckpoint = 0')
const N = 50
for (let i = 0; i < N; i++) s.write(i + 3000)
const wal = readFileSync(join(s.dataDir, 'pds.sqlite-wal'))
const pages: number[] = []
for (let off = 32; off + 24 <= wal.length; off += 24 + 4096) pages.push(wal.readUInt32BE(off))
const owner = new Map<number, string>()
for (const r of s.db.sqlite.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) owner.set(r.pageno, r.name)
const count = new Map<string, number>()
for (const p of pages) count.set(owner.get(p) ?? `free/${p}`, (count.get(owner.get(p) ?? 'free') ?? 0) + 1)
const c2 = new Map<string, number>()
for (const p of pages) { const k = owner.get(p) ?? 'free'; c2.set(k, (c2.get(k) ?? 0) + 1) }
for (const [k, v] of [...c2].sort((a, b) => b[1] - a[1])) console.log(k.padEnd(30), (v / N).toFixed(1))
await s.close()
