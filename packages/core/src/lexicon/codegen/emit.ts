/**
 * Lexicon schema → TypeScript type expressions. Objects become interfaces with an optional literal
 * `$type`; unions become `$Typed<…>` members (plus `$OpenUnion` when open); string enums, const and
 * knownValues become literal unions. Formats stay plain `string` so records are easy to build.
 */
import { refUri } from '../compile.ts'
import type { LexFieldType, LexiconDoc, LexObject, LexString, LexUserType, LexXrpcParameters } from '../types.ts'
import { defTypeName, docComment, groupOf, lit, namespaceName, propKey } from './names.ts'

export interface EmitCtx {
  doc: LexiconDoc
  docs: Map<string, LexiconDoc>
  group: string
  /** Namespaces imported from other group files, by group. */
  imports: Map<string, Set<string>>
  /** Helper types used from util.ts. */
  util: Set<string>
}

const MAX_LINE = 120

/** Names a helper type from util.ts and records that the file needs it. */
export function useUtil(ctx: EmitCtx, name: string): string {
  ctx.util.add(name)
  return name
}

/** `name: A | B` on one line, or one union member per line when too long. */
export function typeLines(head: string, members: string[], indent: string): string[] {
  const one = `${indent}${head} ${members.join(' | ')}`
  if (members.length === 1 || one.length <= MAX_LINE) return [one]
  return [`${indent}${head}`, ...members.map((m) => `${indent}  | ${m}`)]
}

/** The type of a definition referenced as `uri`, qualified by namespace when it is in another document. */
function refType(uri: string, ctx: EmitCtx): string {
  const nsid = uri.slice(0, uri.indexOf('#'))
  const name = uri.slice(uri.indexOf('#') + 1)
  const doc = ctx.docs.get(nsid)
  if (!doc?.defs[name]) return 'unknown'
  const type = defTypeName(doc, name)
  if (nsid === ctx.doc.id) return type
  const ns = namespaceName(nsid)
  const group = groupOf(nsid)
  if (group !== ctx.group) {
    if (!ctx.imports.has(group)) ctx.imports.set(group, new Set())
    ctx.imports.get(group)?.add(ns)
  }
  return `${ns}.${type}`
}

function stringMembers(def: LexString): string[] {
  if (def.const !== undefined) return [lit(def.const)]
  if (def.enum) return def.enum.map(lit)
  if (def.knownValues?.length) return [...def.knownValues.map(lit), '(string & {})']
  return ['string']
}

/** The union members of a field's type (one member for non-union types). */
export function fieldMembers(def: LexFieldType, ctx: EmitCtx, indent: string): string[] {
  switch (def.type) {
    case 'null':
      return ['null']
    case 'boolean':
      return [def.const !== undefined ? String(def.const) : 'boolean']
    case 'integer':
      if (def.const !== undefined) return [String(def.const)]
      return def.enum ? def.enum.map(String) : ['number']
    case 'string':
      return stringMembers(def)
    case 'bytes':
      return ['Uint8Array']
    case 'cid-link':
      return [useUtil(ctx, '$Cid')]
    case 'blob':
      return [useUtil(ctx, '$Blob')]
    case 'unknown':
      return [useUtil(ctx, '$Map')]
    case 'ref':
      return [refType(refUri(def.ref, ctx.doc.id), ctx)]
    case 'union':
      return unionMembers(def.refs, def.closed === true, ctx)
    case 'array': {
      const items = fieldMembers(def.items, ctx, indent)
      return [items.length === 1 ? `${items[0]}[]` : `(${items.join(' | ')})[]`]
    }
    case 'object':
      return [inlineObject(def, ctx, indent)]
  }
  return ['unknown']
}

export function unionMembers(refs: string[], closed: boolean, ctx: EmitCtx): string[] {
  const members = refs.map((r) => `${useUtil(ctx, '$Typed')}<${refType(refUri(r, ctx.doc.id), ctx)}>`)
  if (!closed) members.push(useUtil(ctx, '$OpenUnion'))
  return members
}

function inlineObject(def: LexObject, ctx: EmitCtx, indent: string): string {
  const lines = propertyLines(def, ctx, `${indent}  `)
  return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : '{}'
}

/** One line (or a few, for long unions) per property, each with its description. */
export function propertyLines(def: LexObject | LexXrpcParameters, ctx: EmitCtx, indent: string): string[] {
  const required = new Set(def.required)
  const nullable = new Set('nullable' in def ? def.nullable : [])
  const out: string[] = []
  for (const [key, prop] of Object.entries(def.properties ?? {})) {
    const optional = !required.has(key) || (prop as { default?: unknown }).default !== undefined
    const members = fieldMembers(prop as LexFieldType, ctx, indent)
    if (nullable.has(key)) members.push('null')
    out.push(...docComment(prop.description, indent))
    out.push(...typeLines(`${propKey(key)}${optional ? '?' : ''}:`, members, indent))
  }
  return out
}

/** `export interface Name { $type?: '…'; …props }` for an object definition. */
export function objectDecl(
  name: string,
  typeId: string,
  def: LexObject,
  ctx: EmitCtx,
  required$type = false,
): string[] {
  const head = `export interface ${name} {`
  const typeLine = `  $type${required$type ? '' : '?'}: ${lit(typeId)}`
  return [head, typeLine, ...propertyLines(def, ctx, '  '), '}']
}

/** The declaration of a named, non-method definition. */
export function defDecl(name: string, defName: string, def: LexUserType, ctx: EmitCtx): string[] {
  const typeId = defName === 'main' ? ctx.doc.id : `${ctx.doc.id}#${defName}`
  const comment = docComment(def.description, '')
  switch (def.type) {
    case 'record':
      return [...comment, ...objectDecl(name, typeId, def.record, ctx, true)]
    case 'object':
      return [...comment, ...objectDecl(name, typeId, def, ctx)]
    case 'token':
      return [...comment, `export type ${name} = ${lit(typeId)}`]
    case 'permission-set':
    case 'query':
    case 'procedure':
    case 'subscription':
      return []
    default:
      return [...comment, ...typeLines(`export type ${name} =`, fieldMembers(def, ctx, ''), '')]
  }
}
