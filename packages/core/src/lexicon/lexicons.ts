/**
 * `Lexicons`: a set of lexicon documents and the validators compiled from them. Documents are
 * checked with `parseLexiconDoc` when added; each definition's validator is compiled on first use
 * and kept. Values are data-model values (CID, Uint8Array, BlobRef); JSON bodies are converted by
 * the caller (`jsonToLex`) first. Records of collections with no loaded schema are accepted after
 * the generic checks (a map, `$type` equal to the collection, valid data-model content).
 */
import { isValidNsid } from '../syntax/index.ts'
import { type Check, type Fail, failure, toError } from './check.ts'
import { Compiler, refUri } from './compile.ts'
import { parseLexiconDoc } from './doc-parse.ts'
import { LexiconNotFoundError, LexiconValidationError, type ValidationResult } from './errors.ts'
import { type ParamsCheck, type RawParams, compileParams } from './params.ts'
import type { LexiconDoc, LexUserType, LexXrpcMethod } from './types.ts'
import { dataModelProblem, isMap } from './values.ts'

interface MethodChecks {
  params?: ParamsCheck
  input?: Check | null
  output?: Check | null
  message?: Check | null
  variant?: (type: string) => Check | null
}

/** Runs a compiled check; schemas are recursive, so hostile nesting can exhaust the stack. */
function run(check: Check, value: unknown): Fail | undefined {
  try {
    return check(value)
  } catch (err) {
    if (err instanceof RangeError) return failure('is nested too deeply')
    throw err
  }
}

const toUri = (ref: string): string => refUri(ref.startsWith('lex:') ? ref.slice(4) : ref, '')

export class Lexicons implements Iterable<LexiconDoc> {
  readonly #docs = new Map<string, LexiconDoc>()
  readonly #defs = new Map<string, LexUserType>()
  readonly #methods = new Map<string, MethodChecks>()
  readonly #records = new Map<string, Check | null>()
  readonly #compiler = new Compiler((uri) => this.#defs.get(uri))

  constructor(docs?: Iterable<unknown>) {
    if (docs) for (const doc of docs) this.add(doc)
  }

  /** Checks and adds a document; throws LexiconDocError if invalid, Error if its id is already loaded. */
  add(json: unknown): LexiconDoc {
    const doc = parseLexiconDoc(json)
    if (this.#docs.has(doc.id)) throw new Error(`Lexicon ${doc.id} is already loaded`)
    this.#docs.set(doc.id, doc)
    for (const [name, def] of Object.entries(doc.defs)) this.#defs.set(`${doc.id}#${name}`, def)
    return doc
  }

  get(nsid: string): LexiconDoc | undefined {
    return this.#docs.get(nsid)
  }

  /** A definition by reference: `nsid` (its main) or `nsid#name`. */
  getDef(ref: string): LexUserType | undefined {
    return this.#defs.get(toUri(ref))
  }

  getMethod(nsid: string): LexXrpcMethod | undefined {
    const def = this.#defs.get(`${nsid}#main`)
    return def?.type === 'query' || def?.type === 'procedure' || def?.type === 'subscription' ? def : undefined
  }

  [Symbol.iterator](): Iterator<LexiconDoc> {
    return this.#docs.values()
  }

  validateRecord(collection: string, value: unknown): ValidationResult {
    const check = this.#recordCheck(collection)
    const f = recordShape(collection, value, check !== undefined)
    if (f) return { success: false, error: toError('Record', f) }
    if (check === undefined) return { success: true, value, unknownSchema: true }
    const fail = check === null ? failure(`can not be a ${collection}: not a record type`) : run(check, value)
    return fail ? { success: false, error: toError('Record', fail) } : { success: true, value }
  }

  /** The record validator of a collection; null if its main is not a record, undefined if not loaded. */
  #recordCheck(collection: string): Check | null | undefined {
    let check = this.#records.get(collection)
    if (check !== undefined) return check
    const def = this.#defs.get(`${collection}#main`)
    if (!def) return undefined
    check = def.type === 'record' ? (this.#compiler.def(`${collection}#main`) as Check) : null
    this.#records.set(collection, check)
    return check
  }

  assertValidRecord(collection: string, value: unknown): void {
    const res = this.validateRecord(collection, value)
    if (!res.success) throw res.error
  }

  /** Validates any object or record definition (root `Object` in messages). */
  validate(ref: string, value: unknown): ValidationResult {
    const check = this.#compiler.def(toUri(ref))
    if (!check) throw new LexiconNotFoundError(`Lexicon definition not found: ${ref}`)
    const fail = run(check, value)
    return fail ? { success: false, error: toError('Object', fail) } : { success: true, value }
  }

  /** Coerces query-string values to the declared types, applies defaults, checks; returns the typed params. */
  assertValidXrpcParams(nsid: string, params: RawParams): Record<string, unknown> {
    const checks = this.#methodChecks(nsid)
    checks.params ??= compileParams(this.getMethod(nsid)?.parameters, this.#compiler)
    return checks.params(params)
  }

  assertValidXrpcInput(nsid: string, body: unknown): void {
    const checks = this.#methodChecks(nsid)
    if (checks.input === undefined) {
      const def = this.getMethod(nsid)
      const schema = def?.type === 'procedure' ? def.input?.schema : undefined
      checks.input = schema ? this.#compiler.body(schema, nsid) : null
    }
    assertCheck(checks.input, 'Input', body)
  }

  assertValidXrpcOutput(nsid: string, body: unknown): void {
    const checks = this.#methodChecks(nsid)
    if (checks.output === undefined) {
      const def = this.getMethod(nsid)
      const schema = def?.type === 'subscription' ? undefined : def?.output?.schema
      checks.output = schema ? this.#compiler.body(schema, nsid) : null
    }
    assertCheck(checks.output, 'Output', body)
  }

  /**
   * Validates one subscription message. Event-stream bodies carry their type in the frame header
   * (`t`, e.g. `#commit`) rather than a `$type` field: pass it as `type` for such bodies.
   */
  assertValidXrpcMessage(nsid: string, message: unknown, type?: string): void {
    const checks = this.#methodChecks(nsid)
    const def = this.getMethod(nsid)
    if (def?.type !== 'subscription') throw new LexiconNotFoundError(`Lexicon ${nsid} is not a subscription`)
    checks.message ??= this.#compiler.body(def.message.schema, nsid)
    if (type === undefined || (isMap(message) && message.$type !== undefined)) {
      assertCheck(checks.message, 'Message', message)
      return
    }
    checks.variant ??= this.#compiler.variants(def.message.schema, nsid)
    const check = checks.variant(type.startsWith('#') ? nsid + type : type)
    if (check) assertCheck(check, 'Message', message)
    else if (def.message.schema.closed) {
      throw new LexiconValidationError('Message', `Message type ${type} is not one of ${nsid}'s message types`)
    }
  }

  #methodChecks(nsid: string): MethodChecks {
    let checks = this.#methods.get(nsid)
    if (checks) return checks
    if (!this.getMethod(nsid)) throw new LexiconNotFoundError(`Lexicon method not found: ${nsid}`)
    checks = {}
    this.#methods.set(nsid, checks)
    return checks
  }
}

function assertCheck(check: Check | null, root: string, value: unknown): void {
  if (!check) return
  const fail = run(check, value)
  if (fail) throw toError(root, fail)
}

/** The checks every record gets, known schema or not. */
function recordShape(collection: string, value: unknown, known: boolean): Fail | undefined {
  if (!isMap(value)) return failure('must be an object')
  const type = value.$type
  if (typeof type !== 'string') return { msg: 'must be a string', path: ['$type'] }
  if (type !== collection) return { msg: `must be ${collection}`, path: ['$type'] }
  if (known) return undefined
  if (!isValidNsid(collection)) return failure(`collection ${collection} is not a valid NSID`)
  const problem = dataModelProblem(value)
  return problem ? failure(problem) : undefined
}
