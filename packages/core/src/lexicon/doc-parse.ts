/**
 * `parseLexiconDoc`: checks that a JSON value is a valid lexicon v1 document and returns it typed.
 * Checks the file fields, every definition's type-specific fields, primary types only as `main`,
 * and the types that may not be named definitions (ref, union, unknown, params, permission).
 * Unknown extra fields are ignored (documents may evolve). References to other documents are not
 * resolved here. The input object is returned as is (not copied, not modified).
 */
import { isValidLanguage, isValidNsid, isValidRecordKey } from '../syntax/index.ts'
import { checkErrors, checkField, checkObject, checkParams } from './doc-fields.ts'
import {
  DEF_NAME,
  type Json,
  checkItems,
  expectObject,
  fail,
  isObj,
  join,
  optArray,
  optInteger,
  optString,
  reqString,
} from './doc-helpers.ts'
import { LexiconDocError } from './errors.ts'
import type { LexiconDoc, LexUserType } from './types.ts'

const PRIMARY = new Set(['record', 'query', 'procedure', 'subscription', 'permission-set'])
const NOT_NAMED = new Set(['ref', 'union', 'unknown', 'params', 'permission'])

export function parseLexiconDoc(json: unknown): LexiconDoc {
  const id = isObj(json) && typeof json.id === 'string' ? json.id : undefined
  try {
    if (!isObj(json)) fail('', 'A lexicon document must be a JSON object')
    const doc = json
    if (doc.lexicon !== 1) fail('lexicon', 'must be 1')
    const nsid = reqString(doc, 'id', '')
    if (!isValidNsid(nsid)) fail('id', `is not a valid NSID: ${nsid}`)
    optInteger(doc, 'revision', '', 0)
    optString(doc, 'description', '')
    const defs = expectObject(doc.defs ?? fail('defs', 'is required'), 'defs')
    const names = Object.keys(defs)
    if (names.length === 0) fail('defs', 'must contain at least one definition')
    for (const name of names) checkDef(name, defs[name])
    return json as unknown as LexiconDoc
  } catch (err) {
    if (err instanceof LexiconDocError && id !== undefined) throw new LexiconDocError(err.path, problemOf(err), id)
    throw err
  }
}

/** The message without the path prefix, to re-issue the error with the document id. */
function problemOf(err: LexiconDocError): string {
  return err.path && err.message.startsWith(`${err.path} `) ? err.message.slice(err.path.length + 1) : err.message
}

function checkDef(name: string, v: unknown): LexUserType {
  const path = join('defs', name)
  if (!DEF_NAME.test(name)) fail(path, 'is not a valid definition name')
  const o = expectObject(v, path)
  const type = o.type
  if (typeof type !== 'string') fail(join(path, 'type'), 'must be a string')
  if (NOT_NAMED.has(type)) fail(join(path, 'type'), `"${type}" can not be a named definition`)
  if (PRIMARY.has(type) && name !== 'main') fail(path, `a "${type}" definition must be named main`)
  switch (type) {
    case 'record':
      return checkRecord(o, path)
    case 'query':
    case 'procedure':
      return checkQueryOrProcedure(o, path)
    case 'subscription':
      return checkSubscription(o, path)
    case 'permission-set':
      return checkPermissionSet(o, path)
    case 'token':
      optString(o, 'description', path)
      return o as unknown as LexUserType
    default:
      return checkField(o, path) as LexUserType
  }
}

function checkRecord(o: Json, path: string): LexUserType {
  optString(o, 'description', path)
  const key = reqString(o, 'key', path)
  const literal = key.startsWith('literal:') ? key.slice(8) : undefined
  if (literal !== undefined ? !isValidRecordKey(literal) : !['tid', 'nsid', 'any'].includes(key)) {
    fail(join(path, 'key'), `is not a valid record key type: ${key}`)
  }
  if (o.record === undefined) fail(join(path, 'record'), 'is required')
  checkObject(o.record, join(path, 'record'))
  return o as unknown as LexUserType
}

function checkBody(o: Json, key: 'input' | 'output', path: string): void {
  if (o[key] === undefined) return
  const bpath = join(path, key)
  const body = expectObject(o[key], bpath)
  optString(body, 'description', bpath)
  reqString(body, 'encoding', bpath)
  if (body.schema === undefined) return
  const schema = checkField(body.schema, join(bpath, 'schema'))
  if (!['object', 'ref', 'union'].includes(schema.type)) {
    fail(join(join(bpath, 'schema'), 'type'), 'must be "object", "ref" or "union"')
  }
}

function checkQueryOrProcedure(o: Json, path: string): LexUserType {
  optString(o, 'description', path)
  if (o.parameters !== undefined) checkParams(o.parameters, join(path, 'parameters'))
  if (o.type === 'query' && o.input !== undefined) fail(join(path, 'input'), 'is not allowed on a query')
  checkBody(o, 'input', path)
  checkBody(o, 'output', path)
  checkErrors(o, path)
  return o as unknown as LexUserType
}

function checkSubscription(o: Json, path: string): LexUserType {
  optString(o, 'description', path)
  if (o.parameters !== undefined) checkParams(o.parameters, join(path, 'parameters'))
  const mpath = join(path, 'message')
  const message = expectObject(o.message ?? fail(mpath, 'is required'), mpath)
  optString(message, 'description', mpath)
  const schema = checkField(message.schema ?? fail(join(mpath, 'schema'), 'is required'), join(mpath, 'schema'))
  if (schema.type !== 'union') fail(join(join(mpath, 'schema'), 'type'), 'must be "union"')
  checkErrors(o, path)
  return o as unknown as LexUserType
}

function checkLangMap(o: Json, key: string, path: string): void {
  if (o[key] === undefined) return
  const map = expectObject(o[key], join(path, key))
  for (const [lang, text] of Object.entries(map)) {
    const lpath = join(join(path, key), lang)
    if (!isValidLanguage(lang)) fail(lpath, 'is not a valid language tag')
    if (typeof text !== 'string') fail(lpath, 'must be a string')
  }
}

const isPermissionScalar = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || Number.isSafeInteger(v)

/** Only the generic shape of each permission; resource-specific rules belong to the auth layer. */
function checkPermission(v: unknown, path: string): void {
  const p = expectObject(v, path)
  if (p.type !== 'permission') fail(join(path, 'type'), 'must be "permission"')
  if (!reqString(p, 'resource', path)) fail(join(path, 'resource'), 'must not be empty')
  for (const [k, f] of Object.entries(p)) {
    if (Array.isArray(f)) {
      checkItems(f, join(path, k), (x) => (isPermissionScalar(x) ? undefined : 'must be a string, integer or boolean'))
    } else if (!isPermissionScalar(f)) fail(join(path, k), 'must be a string, integer, boolean or an array of them')
  }
}

function checkPermissionSet(o: Json, path: string): LexUserType {
  for (const k of ['description', 'title', 'detail']) optString(o, k, path)
  checkLangMap(o, 'title:lang', path)
  checkLangMap(o, 'detail:lang', path)
  const perms = optArray(o, 'permissions', path) ?? fail(join(path, 'permissions'), 'is required')
  for (let i = 0; i < perms.length; i++) checkPermission(perms[i], join(join(path, 'permissions'), i))
  return o as unknown as LexUserType
}
