/**
 * Small field readers for the lexicon document parser. Each checks one field's JSON type and throws
 * a `LexiconDocError` naming its path; none of them look at what the field means.
 */
import { isValidNsid } from '../syntax/index.ts'
import { LexiconDocError } from './errors.ts'

export type Json = Record<string, unknown>

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export function fail(path: string, problem: string): never {
  throw new LexiconDocError(path, problem)
}

export const join = (path: string, key: string | number): string => (path ? `${path}/${key}` : String(key))

export function expectObject(v: unknown, path: string): Json {
  if (!isObj(v)) fail(path, 'must be an object')
  return v
}

export function optString(o: Json, key: string, path: string): string | undefined {
  const v = o[key]
  if (v !== undefined && typeof v !== 'string') fail(join(path, key), 'must be a string')
  return v
}

export function reqString(o: Json, key: string, path: string): string {
  const v = optString(o, key, path)
  if (v === undefined) fail(join(path, key), 'is required')
  return v
}

export function optBoolean(o: Json, key: string, path: string): boolean | undefined {
  const v = o[key]
  if (v !== undefined && typeof v !== 'boolean') fail(join(path, key), 'must be a boolean')
  return v
}

export function optInteger(o: Json, key: string, path: string, min?: number): number | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (!Number.isSafeInteger(v)) fail(join(path, key), 'must be an integer')
  if (min !== undefined && (v as number) < min) fail(join(path, key), `must be at least ${min}`)
  return v as number
}

export function optArray(o: Json, key: string, path: string): unknown[] | undefined {
  const v = o[key]
  if (v !== undefined && !Array.isArray(v)) fail(join(path, key), 'must be an array')
  return v
}

/** Fails at `path/i` for the first item for which `problem` returns a message. */
export function checkItems<T>(
  arr: readonly T[] | undefined,
  path: string,
  problem: (item: T) => string | undefined,
): void {
  if (!arr) return
  for (let i = 0; i < arr.length; i++) {
    const p = problem(arr[i])
    if (p !== undefined) fail(join(path, i), p)
  }
}

export function optStringArray(o: Json, key: string, path: string): string[] | undefined {
  const arr = optArray(o, key, path)
  checkItems(arr, join(path, key), (s) => (typeof s === 'string' ? undefined : 'must be a string'))
  return arr as string[] | undefined
}

export function optIntegerArray(o: Json, key: string, path: string): number[] | undefined {
  const arr = optArray(o, key, path)
  checkItems(arr, join(path, key), (n) => (Number.isSafeInteger(n) ? undefined : 'must be an integer'))
  return arr as number[] | undefined
}

/** `min <= max` for a pair of optional bounds. */
export function checkRange(o: Json, minKey: string, maxKey: string, path: string): void {
  const min = o[minKey]
  const max = o[maxKey]
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    fail(join(path, minKey), `must not be greater than ${maxKey}`)
  }
}

/** Spec: `const` and `default` are mutually exclusive. */
export function checkConstDefault(o: Json, path: string): void {
  if (o.const !== undefined && o.default !== undefined)
    fail(join(path, 'default'), 'must not be set together with const')
}

export const DEF_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/

/** A reference: `#name`, `nsid` or `nsid#name`. */
export function isValidRef(ref: string): boolean {
  const hash = ref.indexOf('#')
  if (hash === -1) return isValidNsid(ref)
  const name = ref.slice(hash + 1)
  if (!DEF_NAME.test(name)) return false
  return hash === 0 || isValidNsid(ref.slice(0, hash))
}
