/** Error types of the lexicon module: bad schema documents, and values that do not match a schema. */

/** A lexicon document that is not a valid v1 document. `path` names the offending field, e.g. `defs/main/key`. */
export class LexiconDocError extends Error {
  override name = 'LexiconDocError'
  readonly path: string

  constructor(path: string, problem: string, id?: string) {
    super(`${id ? `Lexicon ${id}: ` : ''}${path ? `${path} ` : ''}${problem}`)
    this.path = path
  }
}

/**
 * A value that fails schema validation. The message names the path the way the official validator
 * does (`Record/embed/images/0/alt must be a string`); `path` holds just that path.
 */
export class LexiconValidationError extends Error {
  override name = 'LexiconValidationError'
  readonly path: string

  constructor(path: string, message: string) {
    super(message)
    this.path = path
  }
}

/** A schema or definition that was asked for by name but is not loaded. */
export class LexiconNotFoundError extends Error {
  override name = 'LexiconNotFoundError'
}

export type ValidationResult =
  | { success: true; value: unknown; unknownSchema?: boolean }
  | { success: false; error: LexiconValidationError }
