/**
 * Declarations for XRPC methods: `Params`, `Input`, `Output` (queries and procedures) and `Message`
 * (subscriptions), inside the method's namespace. Bodies without a JSON schema are typed as
 * `$Map` (JSON) or `$Binary` (any other encoding).
 */
import type { LexXrpcBody, LexXrpcMethod } from '../types.ts'
import { type EmitCtx, fieldMembers, propertyLines, typeLines, unionMembers, useUtil } from './emit.ts'
import { docComment } from './names.ts'

function paramsDecl(def: LexXrpcMethod, ctx: EmitCtx): string[] {
  const props = def.parameters?.properties
  if (!props || Object.keys(props).length === 0) return [`export type Params = ${useUtil(ctx, '$NoParams')}`]
  return ['export interface Params {', ...propertyLines(def.parameters!, ctx, '  '), '}']
}

function bodyDecl(name: 'Input' | 'Output', body: LexXrpcBody, ctx: EmitCtx): string[] {
  const comment = docComment(body.description, '')
  const schema = body.schema
  if (!schema) {
    const json = body.encoding === 'application/json'
    return [...comment, `export type ${name} = ${useUtil(ctx, json ? '$Map' : '$Binary')}`]
  }
  if (schema.type === 'object') {
    return [...comment, `export interface ${name} {`, ...propertyLines(schema, ctx, '  '), '}']
  }
  return [...comment, ...typeLines(`export type ${name} =`, fieldMembers(schema, ctx, ''), '')]
}

export interface MethodTypes {
  kind: 'query' | 'procedure' | 'subscription'
  hasInput: boolean
  hasOutput: boolean
}

/** The method's own declarations, and which of them exist (for the NSID maps). */
export function methodDecls(def: LexXrpcMethod, ctx: EmitCtx): { lines: string[]; types: MethodTypes } {
  const decls = [[...docComment(def.description, ''), ...paramsDecl(def, ctx)]]
  const input = def.type === 'procedure' ? def.input : undefined
  const output = def.type === 'subscription' ? undefined : def.output
  if (input) decls.push(bodyDecl('Input', input, ctx))
  if (output) decls.push(bodyDecl('Output', output, ctx))
  if (def.type === 'subscription') {
    const schema = def.message.schema
    decls.push(typeLines('export type Message =', unionMembers(schema.refs, schema.closed === true, ctx), ''))
  }
  const lines = decls.flatMap((d, i) => (i ? ['', ...d] : d))
  return { lines, types: { kind: def.type, hasInput: !!input, hasOutput: !!output } }
}
