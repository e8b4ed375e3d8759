/**
 * The lexicon schemas Stratus serves: every JSON document under the repository's `lexicons/` folder
 * (com.atproto, app.bsky, chat.bsky, tools.ozone and the few others upstream ships), read and
 * checked once per process. The folder is found relative to this file, so it works from any cwd.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type LexiconDoc, Lexicons, parseLexiconDoc } from '@stratus/core/lexicon'

/** Absolute path of the bundled lexicons folder. */
export const BUNDLED_LEXICONS_DIR = fileURLToPath(new URL('../../../../lexicons/', import.meta.url))

function jsonFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...jsonFiles(path))
    else if (entry.name.endsWith('.json')) out.push(path)
  }
  return out
}

/** Reads and checks every document in `dir` (default: the bundled folder), sorted by NSID. */
export function readLexiconDocs(dir = BUNDLED_LEXICONS_DIR): LexiconDoc[] {
  const docs = jsonFiles(dir).map((file) => {
    try {
      return parseLexiconDoc(JSON.parse(readFileSync(file, 'utf8')))
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`, { cause: err })
    }
  })
  return docs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

let bundled: Lexicons | undefined

/** The bundled schemas, loaded on first call and shared afterwards. */
export function loadBundledLexicons(): Lexicons {
  bundled ??= new Lexicons(readLexiconDocs())
  return bundled
}
