/**
 * `npm run bench [filter]`: runs every bench/*.bench.ts (or those whose name contains the filter),
 * one after another in this process. Each file's default export is an async function that prints
 * its own comparison tables (ours vs the official package vs the fastest alternative).
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const filter = process.argv[2] ?? ''
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort()

for (const file of files) {
  process.stdout.write(`\n# ${file.replace('.bench.ts', '')}\n`)
  const mod = await import(pathToFileURL(join(here, file)).href)
  await mod.default()
}
