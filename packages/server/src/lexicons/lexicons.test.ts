import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateLexiconTypes } from '@stratus/core/lexicon'
import { GENERATED_DIR, staleFiles } from '../bin/lexgen.ts'
import { BUNDLED_LEXICONS_DIR, loadBundledLexicons, readLexiconDocs } from './index.ts'

function countJson(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? countJson(join(dir, e.name)) : e.name.endsWith('.json') ? 1 : 0),
    0,
  )
}

describe('bundled lexicons', () => {
  it('loads every JSON document without error, once', () => {
    const lex = loadBundledLexicons()
    const docs = [...lex]
    expect(docs.length).toBe(countJson(BUNDLED_LEXICONS_DIR))
    expect(docs.length).toBeGreaterThan(300)
    expect(loadBundledLexicons()).toBe(lex)
    for (const nsid of ['app.bsky.feed.post', 'com.atproto.repo.createRecord', 'chat.bsky.convo.sendMessage']) {
      expect(lex.get(nsid)?.id).toBe(nsid)
    }
  })

  it('resolves every ref and union member inside the bundle', () => {
    const lex = loadBundledLexicons()
    const missing: string[] = []
    const visit = (node: unknown, nsid: string): void => {
      if (typeof node !== 'object' || node === null) return
      if (Array.isArray(node)) {
        for (const n of node) visit(n, nsid)
        return
      }
      const o = node as Record<string, unknown>
      const refs = o.type === 'ref' ? [o.ref as string] : o.type === 'union' ? (o.refs as string[]) : []
      for (const ref of refs) {
        const full = ref.startsWith('#') ? nsid + ref : ref
        if (!lex.getDef(full)) missing.push(`${nsid}: ${ref}`)
      }
      for (const v of Object.values(o)) visit(v, nsid)
    }
    for (const doc of lex) visit(doc.defs, doc.id)
    expect(missing).toEqual([])
  })

  it('the committed generated types are up to date (run `npx tsx packages/server/src/bin/lexgen.ts`)', () => {
    const files = generateLexiconTypes(readLexiconDocs())
    expect(files.length).toBeGreaterThan(10)
    expect(staleFiles(files, GENERATED_DIR)).toEqual([])
  })

  it('notices a stale generated folder', () => {
    const files = generateLexiconTypes(readLexiconDocs())
    const changed = files.map((f) => (f.path === 'util.ts' ? { ...f, content: `${f.content}// changed\n` } : f))
    expect(staleFiles(changed, GENERATED_DIR)).toEqual(['util.ts'])
    expect(staleFiles(files.slice(1), GENERATED_DIR)).toContain(files[0].path)
  })
})
