/** Naming rules of the generated TypeScript: NSIDs become namespaces, definitions become type names. */
import type { LexiconDoc } from '../types.ts'

const pascal = (s: string): string =>
  s
    .split(/[-_]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('')

/** `app.bsky.feed.post` → `AppBskyFeedPost`. */
export const namespaceName = (nsid: string): string => nsid.split('.').map(pascal).join('')

/** The NSID group a document is generated into: all but the last segment (`app.bsky.feed`). */
export const groupOf = (nsid: string): string => nsid.slice(0, nsid.lastIndexOf('.'))

/** Names every generated method namespace uses for its own types. */
const METHOD_TYPES = new Set(['Params', 'Input', 'Output', 'Message'])

/** The type name of `doc#name` inside the document's namespace. */
export function defTypeName(doc: LexiconDoc, name: string): string {
  const def = doc.defs[name]
  if (name === 'main') return def?.type === 'record' ? 'Record' : 'Main'
  const type = pascal(name)
  const main = doc.defs.main?.type
  const isMethod = main === 'query' || main === 'procedure' || main === 'subscription'
  if (type === 'Main' || type === 'Record' || (isMethod && METHOD_TYPES.has(type))) return `${type}Def`
  return type
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** A property key as written in an interface. */
export const propKey = (key: string): string => (IDENT.test(key) ? key : lit(key))

/** A single-quoted TypeScript string literal. */
export function lit(s: string): string {
  const json = JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")
  return `'${json}'`
}

/** A JSDoc comment on one line (descriptions are kept short in the output). */
export function docComment(description: string | undefined, indent: string): string[] {
  if (!description) return []
  const text = description.replace(/\s+/g, ' ').replace(/\*\//g, '*\\/').trim()
  return [`${indent}/** ${text} */`]
}
