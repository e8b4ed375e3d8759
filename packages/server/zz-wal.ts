import { statSync } from 'node:fs'
import { join } from 'node:path'
import { setup } from './zz-setup.ts'
const s = await setup()
for (let i = 0; i < 3000; i++) s.write(i)
s.db.sqlite.pragma('wal_checkpoint(TRUNCATE)')
s.db.sqlite.pragma('wal_autocheckpoint = 0')
const N = 200
for (let i = 0; i < N; i++) s.write(i + 3000)
console.log('pages per write', (statSync(join(s.dataDir, 'pds.sqlite-wal')).size / 4120 / N).toFixed(1))
s.db.sqlite.pragma('wal_autocheckpoint = 1000')
const M = 2000
const t0 = performance.now()
const c0 = process.cpuUsage()
for (let i = 0; i < M; i++) s.write(i + 5000)
const c = process.cpuUsage(c0)
console.log('µs/write', ((performance.now() - t0) / M * 1000).toFixed(0), 'cpu µs/write', ((c.user + c.system) / M).toFixed(0), 'sys', (c.system / M).toFixed(0))
await s.close()
