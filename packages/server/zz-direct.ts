import { setup } from './zz-setup.ts'
const s = await setup()
const N = Number(process.argv[2] ?? 3000)
for (let i = 0; i < N; i++) s.write(i)
await s.close()
