/**
 * XRPC query parameters: coerces the strings of a URL query to the declared types (integer,
 * boolean, string, or arrays of them), applies defaults, then checks the constraints.
 * Integers must be plain decimal (`-?[0-9]+`), booleans `true` or `false`. Parameters the schema
 * does not declare are passed through unchanged. Messages follow the official wording: the
 * parameter name is the path (`limit can not be greater than 100`).
 */
import { type Check, failPath } from './check.ts'
import type { Compiler } from './compile.ts'
import { LexiconValidationError } from './errors.ts'
import type { LexParamItem, LexXrpcParameters } from './types.ts'

export type RawParams = Record<string, string | string[] | number | boolean | (string | number | boolean)[] | undefined>
export type ParamsCheck = (params: RawParams) => Record<string, unknown>

const INTEGER = /^-?[0-9]+$/

type Coerce = (raw: unknown) => unknown

/** The typed value, or undefined when the raw value cannot be read as the type. */
function coercer(item: LexParamItem): Coerce {
  switch (item.type) {
    case 'integer':
      return (raw) => {
        if (typeof raw === 'number') return raw
        if (typeof raw !== 'string' || !INTEGER.test(raw)) return undefined
        const n = Number(raw)
        return Number.isSafeInteger(n) ? n : undefined
      }
    case 'boolean':
      return (raw) => (typeof raw === 'boolean' ? raw : raw === 'true' ? true : raw === 'false' ? false : undefined)
    default:
      return (raw) => raw
  }
}

const typeMsg = (item: LexParamItem) =>
  item.type === 'integer' ? 'must be an integer' : item.type === 'boolean' ? 'must be a boolean' : 'must be a string'

interface Param {
  key: string
  required: boolean
  defaultValue: unknown
  read: (raw: unknown, key: string) => unknown
  check: Check
}

function compileParam(
  key: string,
  def: LexXrpcParameters['properties'][string],
  required: boolean,
  compiler: Compiler,
): Param {
  const isArray = def.type === 'array'
  const item = (isArray ? def.items : def) as LexParamItem
  const coerce = coercer(item)
  const msg = typeMsg(item)
  const bad = (path: string) => new LexiconValidationError(path, `${path} ${msg}`)
  const read = isArray
    ? (raw: unknown, k: string) =>
        (Array.isArray(raw) ? raw : [raw]).map((r, i) => {
          const v = coerce(r)
          if (v === undefined) throw bad(`${k}/${i}`)
          return v
        })
    : (raw: unknown, k: string) => {
        if (Array.isArray(raw)) {
          if (raw.length !== 1) throw new LexiconValidationError(k, `${k} must be a single value`)
          raw = raw[0]
        }
        const v = coerce(raw)
        if (v === undefined) throw bad(k)
        return v
      }
  const defaultValue = 'default' in def ? def.default : undefined
  return { key, required, defaultValue, read, check: compiler.field(def, '') }
}

export function compileParams(def: LexXrpcParameters | undefined, compiler: Compiler): ParamsCheck {
  const required = new Set(def?.required)
  const params = Object.entries(def?.properties ?? {}).map(([k, p]) => compileParam(k, p, required.has(k), compiler))
  return (raw) => {
    const out: Record<string, unknown> = { ...raw }
    for (const p of params) {
      const given = raw[p.key]
      const value = given === undefined ? p.defaultValue : p.read(given, p.key)
      if (value === undefined) {
        if (p.required) throw new LexiconValidationError('Params', `Params must have the property "${p.key}"`)
        delete out[p.key]
        continue
      }
      const f = p.check(value)
      if (f) {
        const path = failPath(p.key, f)
        throw new LexiconValidationError(path, `${path} ${f.msg}`)
      }
      out[p.key] = value
    }
    return out
  }
}
