/**
 * Turns schema definitions into validator closures, once per definition: the per-value work is
 * plain property reads and precomputed constraint tests, never a walk over the schema JSON.
 * References are resolved lazily on first use (schemas are recursive and may be added in any
 * order); a reference that cannot be resolved yet is retried later rather than cached as missing.
 */
import { type Check, failure } from './check.ts'
import {
  checkCidLink,
  checkNull,
  checkUnknown,
  compileBlob,
  compileBoolean,
  compileBytes,
  compileInteger,
} from './check-primitives.ts'
import { compileString } from './check-string.ts'
import type { LexArray, LexFieldType, LexObject, LexRefUnion, LexUserType } from './types.ts'
import { isMap } from './values.ts'

/** Looks a definition up by its full URI, `nsid#name` (`nsid#main` for main). */
export type DefLookup = (uri: string) => LexUserType | undefined

/** The full URI of a reference made inside the document `base`: `#x`, `nsid` or `nsid#x`. */
export function refUri(ref: string, base: string): string {
  if (ref.startsWith('#')) return base + ref
  return ref.includes('#') ? ref : `${ref}#main`
}

/** How URIs appear in messages: main definitions by their bare NSID. */
export const displayUri = (uri: string): string => (uri.endsWith('#main') ? uri.slice(0, -5) : uri)

const nsidOf = (uri: string): string => uri.slice(0, uri.indexOf('#'))

const notLoaded = (uri: string) => failure(`could not be validated: schema ${displayUri(uri)} is not loaded`)

export class Compiler {
  readonly #lookup: DefLookup
  readonly #defs = new Map<string, Check>()

  constructor(lookup: DefLookup) {
    this.#lookup = lookup
  }

  /** The validator of a named definition (a record validates its `record` object), compiled once. */
  def(uri: string): Check | undefined {
    let check = this.#defs.get(uri)
    if (check) return check
    const def = this.#lookup(uri)
    if (!def) return undefined
    const base = nsidOf(uri)
    if (def.type === 'record') check = this.object(def.record, base)
    else if (!isNonValue(def)) check = this.field(def as LexFieldType, base)
    else {
      const msg = `can not be validated against ${displayUri(uri)}, a ${def.type} definition`
      check = () => failure(msg)
    }
    this.#defs.set(uri, check)
    return check
  }

  /** The validator of an object or record definition, as a union variant or XRPC body. */
  objectDef(uri: string): Check | undefined {
    const def = this.#lookup(uri)
    if (!def) return undefined
    if (def.type !== 'object' && def.type !== 'record') {
      const msg = `can not be validated against ${displayUri(uri)}: not an object or record`
      return () => failure(msg)
    }
    return this.def(uri)
  }

  field(def: LexFieldType, base: string): Check {
    switch (def.type) {
      case 'null':
        return checkNull
      case 'boolean':
        return compileBoolean(def)
      case 'integer':
        return compileInteger(def)
      case 'string':
        return compileString(def)
      case 'bytes':
        return compileBytes(def)
      case 'cid-link':
        return checkCidLink
      case 'blob':
        return compileBlob(def)
      case 'unknown':
        return checkUnknown
      case 'array':
        return this.array(def, base)
      case 'object':
        return this.object(def, base)
      case 'ref':
        return this.ref(refUri(def.ref, base))
      case 'union':
        return this.union(def, base)
    }
    const msg = `has an unsupported schema type: ${(def as { type: unknown }).type}`
    return () => failure(msg)
  }

  ref(uri: string): Check {
    let target: Check | undefined
    return (v) => {
      if (target === undefined) {
        target = this.def(uri)
        if (target === undefined) return notLoaded(uri)
      }
      return target(v)
    }
  }

  /** A body schema (object, ref or union) whose value must be an object. */
  body(schema: LexObject | LexFieldType, base: string): Check {
    if (schema.type !== 'ref') return this.field(schema, base)
    const uri = refUri(schema.ref, base)
    let target: Check | undefined
    return (v) => {
      if (!isMap(v)) return failure('must be an object')
      target ??= this.objectDef(uri)
      return target ? target(v) : notLoaded(uri)
    }
  }

  array(def: LexArray, base: string): Check {
    const { minLength: min, maxLength: max } = def
    const item = this.field(def.items, base)
    return (v) => {
      if (!Array.isArray(v)) return failure('must be an array')
      const n = v.length
      if (max !== undefined && n > max) return failure(`must not have more than ${max} elements`)
      if (min !== undefined && n < min) return failure(`must not have fewer than ${min} elements`)
      for (let i = 0; i < n; i++) {
        const f = item(v[i])
        if (f) {
          f.path.push(i)
          return f
        }
      }
      return undefined
    }
  }

  object(def: LexObject, base: string): Check {
    const keys = Object.keys(def.properties)
    const checks = keys.map((k) => this.field(def.properties[k], base))
    const required = new Set(def.required)
    const nullable = new Set(def.nullable)
    // A missing property with a default counts as present and valid (the default applies).
    const mustHave = keys.map(
      (k) => required.has(k) && (def.properties[k] as { default?: unknown }).default === undefined,
    )
    const mayBeNull = keys.map((k) => nullable.has(k))
    // Keys like `constructor` exist on every object's prototype: read those as own properties only.
    const ownOnly = keys.map((k) => k in Object.prototype)
    const n = keys.length
    return (v) => {
      if (!isMap(v)) return failure('must be an object')
      for (let i = 0; i < n; i++) {
        const key = keys[i]
        const pv = ownOnly[i] && !Object.hasOwn(v, key) ? undefined : v[key]
        if (pv === undefined) {
          if (mustHave[i]) return failure(`must have the property "${key}"`)
          continue
        }
        if (pv === null && mayBeNull[i]) continue
        const f = checks[i](pv)
        if (f) {
          f.path.push(key)
          return f
        }
      }
      return undefined
    }
  }

  /** For a union: the validator for a `$type`, null if the union does not list it. */
  variants(def: LexRefUnion, base: string): (type: string) => Check | null {
    const uris = new Map<string, string>()
    for (const ref of def.refs) {
      const uri = refUri(ref, base)
      uris.set(uri, uri)
      if (uri.endsWith('#main')) uris.set(uri.slice(0, -5), uri)
    }
    const resolved = new Map<string, Check>()
    return (type) => {
      const known = resolved.get(type)
      if (known) return known
      const uri = uris.get(type)
      if (uri === undefined) return null
      const check = this.objectDef(uri)
      if (!check) return () => notLoaded(uri)
      resolved.set(type, check)
      return check
    }
  }

  union(def: LexRefUnion, base: string): Check {
    const variant = this.variants(def, base)
    const closed = def.closed === true
    const closedMsg = `$type must be one of ${def.refs.map((r) => displayUri(refUri(r, base))).join(', ')}`
    return (v) => {
      if (!isMap(v) || typeof v.$type !== 'string') {
        return failure('must be an object which includes the "$type" property')
      }
      const check = variant(v.$type)
      if (check) return check(v)
      return closed ? failure(closedMsg) : undefined
    }
  }
}

/** Definitions that describe no value: tokens and the primary types other than record. */
function isNonValue(def: LexUserType): boolean {
  return ['token', 'query', 'procedure', 'subscription', 'permission-set'].includes(def.type)
}
