/**
 * Checks the field-level schema types of a lexicon document (everything that describes a value:
 * null, boolean, integer, string, bytes, cid-link, blob, unknown, ref, union, array, object, params).
 * It checks each type's own fields and their consistency (bounds, required names, closed unions);
 * it does NOT check that refs point at existing definitions (documents are loaded one by one).
 */
import {
  type Json,
  checkConstDefault,
  checkItems,
  checkRange,
  expectObject,
  fail,
  isValidRef,
  join,
  optArray,
  optBoolean,
  optInteger,
  optIntegerArray,
  optString,
  optStringArray,
  reqString,
} from './doc-helpers.ts'
import type { LexFieldType, LexObject, LexXrpcParameters } from './types.ts'

export const STRING_FORMATS = new Set([
  'at-identifier',
  'at-uri',
  'cid',
  'datetime',
  'did',
  'handle',
  'language',
  'nsid',
  'record-key',
  'tid',
  'uri',
])

/** Schema nesting deeper than this is rejected (hostile documents must not exhaust the stack). */
const MAX_DEPTH = 32

/** `type/subtype`, `type/*` or `* /*`; partial globs and a bare `*` are not allowed. */
const MIME_PATTERN = /^(\*\/\*|[a-zA-Z0-9!#$&^_.+-]+\/(\*|[a-zA-Z0-9!#$&^_.+-]+))$/

function checkSimple(o: Json, path: string): void {
  optString(o, 'description', path)
  switch (o.type) {
    case 'null':
    case 'cid-link':
    case 'unknown':
      return
    case 'boolean':
      optBoolean(o, 'default', path)
      optBoolean(o, 'const', path)
      checkConstDefault(o, path)
      return
    case 'integer':
      for (const k of ['default', 'const', 'minimum', 'maximum']) optInteger(o, k, path)
      optIntegerArray(o, 'enum', path)
      checkRange(o, 'minimum', 'maximum', path)
      checkConstDefault(o, path)
      return
    case 'bytes':
      optInteger(o, 'minLength', path, 0)
      optInteger(o, 'maxLength', path, 0)
      checkRange(o, 'minLength', 'maxLength', path)
  }
}

function checkString(o: Json, path: string): void {
  optString(o, 'description', path)
  const format = optString(o, 'format', path)
  if (format !== undefined && !STRING_FORMATS.has(format))
    fail(join(path, 'format'), `is not a known format: ${format}`)
  optString(o, 'default', path)
  optString(o, 'const', path)
  for (const k of ['minLength', 'maxLength', 'minGraphemes', 'maxGraphemes']) optInteger(o, k, path, 0)
  checkRange(o, 'minLength', 'maxLength', path)
  checkRange(o, 'minGraphemes', 'maxGraphemes', path)
  optStringArray(o, 'enum', path)
  optStringArray(o, 'knownValues', path)
  checkConstDefault(o, path)
}

function checkBlob(o: Json, path: string): void {
  optString(o, 'description', path)
  const accept = optStringArray(o, 'accept', path)
  checkItems(accept, join(path, 'accept'), (a) =>
    MIME_PATTERN.test(a) ? undefined : `is not a MIME type pattern: ${a}`,
  )
  optInteger(o, 'maxSize', path, 0)
}

function checkRef(o: Json, path: string): void {
  optString(o, 'description', path)
  const ref = reqString(o, 'ref', path)
  if (!isValidRef(ref)) fail(join(path, 'ref'), `is not a valid reference: ${ref}`)
}

function checkUnion(o: Json, path: string): void {
  optString(o, 'description', path)
  const refs = optStringArray(o, 'refs', path)
  if (!refs) fail(join(path, 'refs'), 'is required')
  checkItems(refs, join(path, 'refs'), (r) => (isValidRef(r) ? undefined : `is not a valid reference: ${r}`))
  const closed = optBoolean(o, 'closed', path)
  if (closed && refs.length === 0) fail(join(path, 'refs'), 'must not be empty in a closed union')
}

function checkArray(o: Json, path: string, depth: number): void {
  optString(o, 'description', path)
  optInteger(o, 'minLength', path, 0)
  optInteger(o, 'maxLength', path, 0)
  checkRange(o, 'minLength', 'maxLength', path)
  if (o.items === undefined) fail(join(path, 'items'), 'is required')
  checkField(o.items, join(path, 'items'), depth + 1)
}

/** Names in `required`/`nullable` must be declared properties. */
function checkNames(o: Json, key: 'required' | 'nullable', props: Json, path: string): void {
  const names = optStringArray(o, key, path)
  checkItems(names, join(path, key), (n) =>
    Object.hasOwn(props, n) ? undefined : `names an undefined property "${n}"`,
  )
}

export function checkObject(v: unknown, path: string, depth = 0): LexObject {
  const o = expectObject(v, path)
  if (o.type !== 'object') fail(join(path, 'type'), 'must be "object"')
  optString(o, 'description', path)
  const props = expectObject(o.properties ?? fail(join(path, 'properties'), 'is required'), join(path, 'properties'))
  for (const [k, p] of Object.entries(props)) checkField(p, join(join(path, 'properties'), k), depth + 1)
  checkNames(o, 'required', props, path)
  checkNames(o, 'nullable', props, path)
  return o as unknown as LexObject
}

/** Any value schema that may appear as an object property or array item. */
export function checkField(v: unknown, path: string, depth = 0): LexFieldType {
  if (depth > MAX_DEPTH) fail(path, `nests schemas deeper than ${MAX_DEPTH} levels`)
  const o = expectObject(v, path)
  const type = o.type
  if (typeof type !== 'string') fail(join(path, 'type'), 'must be a string')
  if (type === 'string') checkString(o, path)
  else if (type === 'blob') checkBlob(o, path)
  else if (type === 'ref') checkRef(o, path)
  else if (type === 'union') checkUnion(o, path)
  else if (type === 'array') checkArray(o, path, depth)
  else if (type === 'object') checkObject(o, path, depth)
  else if (['null', 'boolean', 'integer', 'bytes', 'cid-link', 'unknown'].includes(type)) checkSimple(o, path)
  else fail(join(path, 'type'), `"${type}" is not allowed here`)
  return o as unknown as LexFieldType
}

const PARAM_TYPES = ['boolean', 'integer', 'string', 'unknown']

/** `params`: like an object, but only booleans, integers, strings (or arrays of them), no nullable. */
export function checkParams(v: unknown, path: string): LexXrpcParameters {
  const o = expectObject(v, path)
  if (o.type !== 'params') fail(join(path, 'type'), 'must be "params"')
  optString(o, 'description', path)
  const props = expectObject(o.properties ?? {}, join(path, 'properties'))
  for (const [k, p] of Object.entries(props)) {
    const ppath = join(join(path, 'properties'), k)
    const field = checkField(p, ppath)
    const itemType = field.type === 'array' ? field.items.type : field.type
    if (!PARAM_TYPES.includes(itemType)) fail(join(ppath, 'type'), `"${itemType}" is not allowed in params`)
  }
  checkNames(o, 'required', props, path)
  return o as unknown as LexXrpcParameters
}

/** `errors` of a query, procedure or subscription. */
export function checkErrors(o: Json, path: string): void {
  const errors = optArray(o, 'errors', path)
  for (let i = 0; i < (errors?.length ?? 0); i++) {
    const epath = join(join(path, 'errors'), i)
    const e = expectObject(errors?.[i], epath)
    if (!/^\S+$/.test(reqString(e, 'name', epath)))
      fail(join(epath, 'name'), 'must be a non-empty name without whitespace')
    optString(e, 'description', epath)
  }
}
