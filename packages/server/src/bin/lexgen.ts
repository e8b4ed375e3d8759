#!/usr/bin/env -S npx tsx
/**
 * `lexgen`: writes the TypeScript types generated from the bundled lexicons into
 * packages/core/src/lexicon/generated/ (one file per NSID group, plus util.ts and index.ts).
 *   npx tsx packages/server/src/bin/lexgen.ts            regenerate (removes stale generated files)
 *   npx tsx packages/server/src/bin/lexgen.ts --check    exit 1 if the committed files are out of date
 * Options: --lexicons <dir> (default: the bundled lexicons), --out <dir>.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type GeneratedFile, generateLexiconTypes } from '@stratus/core/lexicon'
import { BUNDLED_LEXICONS_DIR, readLexiconDocs } from '../lexicons/index.ts'

export const summary = 'generate TypeScript types from the bundled lexicons'

export const GENERATED_DIR = fileURLToPath(new URL('../../../core/src/lexicon/generated/', import.meta.url))

/** Paths (relative to `dir`) that differ from `files`: changed, missing, or generated files no longer produced. */
export function staleFiles(files: GeneratedFile[], dir: string): string[] {
  const stale: string[] = []
  const wanted = new Set(files.map((f) => f.path))
  for (const f of files) {
    const path = join(dir, f.path)
    if (!existsSync(path) || readFileSync(path, 'utf8') !== f.content) stale.push(f.path)
  }
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) if (name.endsWith('.ts') && !wanted.has(name)) stale.push(name)
  }
  return stale.sort()
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name)
  return i === -1 ? undefined : argv[i + 1]
}

export async function run(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write('Usage: lexgen [--check] [--lexicons <dir>] [--out <dir>]\n')
    return
  }
  const out = resolve(option(argv, '--out') ?? GENERATED_DIR)
  const files = generateLexiconTypes(readLexiconDocs(option(argv, '--lexicons') ?? BUNDLED_LEXICONS_DIR))
  const stale = staleFiles(files, out)
  if (argv.includes('--check')) {
    if (stale.length) {
      process.stderr.write(`Generated lexicon types are out of date: ${stale.join(', ')}\nRun lexgen to update.\n`)
      process.exitCode = 1
    }
    return
  }
  mkdirSync(out, { recursive: true })
  const wanted = new Set(files.map((f) => f.path))
  for (const name of readdirSync(out)) if (name.endsWith('.ts') && !wanted.has(name)) rmSync(join(out, name))
  for (const f of files) if (stale.includes(f.path)) writeFileSync(join(out, f.path), f.content)
  process.stdout.write(`lexgen: ${files.length} files in ${out} (${stale.length} updated)\n`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run(process.argv.slice(2))
}
