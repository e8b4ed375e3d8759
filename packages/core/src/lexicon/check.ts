/**
 * The compiled-validator calling convention. A `Check` returns undefined for a valid value and a
 * `Fail` otherwise; nothing is allocated on success. Containers append their key to `Fail.path` as
 * the failure unwinds, so the path string is only built for the one error that is reported.
 */
import { LexiconValidationError } from './errors.ts'

export interface Fail {
  /** The problem, phrased to follow the path: `must be a string`. */
  msg: string
  /** Keys from the failing value up to the root (innermost first). */
  path: (string | number)[]
}

export type Check = (v: unknown) => Fail | undefined

export const failure = (msg: string): Fail => ({ msg, path: [] })

/** `root/a/b/0` for the failure's path. */
export function failPath(root: string, f: Fail): string {
  let p = root
  for (let i = f.path.length - 1; i >= 0; i--) p += `/${f.path[i]}`
  return p
}

export function toError(root: string, f: Fail): LexiconValidationError {
  const path = failPath(root, f)
  return new LexiconValidationError(path, `${path} ${f.msg}`)
}
