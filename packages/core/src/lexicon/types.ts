/**
 * The shapes of lexicon v1 schema documents (atproto.com/specs/lexicon), as returned by
 * `parseLexiconDoc`. Only the fields the spec defines are typed; unknown extra fields pass through.
 */

export type LexStringFormat =
  | 'at-identifier'
  | 'at-uri'
  | 'cid'
  | 'datetime'
  | 'did'
  | 'handle'
  | 'language'
  | 'nsid'
  | 'record-key'
  | 'tid'
  | 'uri'

interface Described {
  description?: string
}

export interface LexNull extends Described {
  type: 'null'
}
export interface LexBoolean extends Described {
  type: 'boolean'
  default?: boolean
  const?: boolean
}
export interface LexInteger extends Described {
  type: 'integer'
  default?: number
  const?: number
  minimum?: number
  maximum?: number
  enum?: number[]
}
export interface LexString extends Described {
  type: 'string'
  format?: LexStringFormat
  default?: string
  const?: string
  minLength?: number
  maxLength?: number
  minGraphemes?: number
  maxGraphemes?: number
  enum?: string[]
  knownValues?: string[]
}
export interface LexBytes extends Described {
  type: 'bytes'
  minLength?: number
  maxLength?: number
}
export interface LexCidLink extends Described {
  type: 'cid-link'
}
export interface LexBlob extends Described {
  type: 'blob'
  accept?: string[]
  maxSize?: number
}
export interface LexUnknown extends Described {
  type: 'unknown'
}
export interface LexRef extends Described {
  type: 'ref'
  ref: string
}
export interface LexRefUnion extends Described {
  type: 'union'
  refs: string[]
  closed?: boolean
}
export interface LexArray extends Described {
  type: 'array'
  items: LexFieldType
  minLength?: number
  maxLength?: number
}
export interface LexObject extends Described {
  type: 'object'
  properties: Record<string, LexFieldType>
  required?: string[]
  nullable?: string[]
}
export interface LexToken extends Described {
  type: 'token'
}

/** Anything that may describe a value: a property, an array item, or a named non-primary def. */
export type LexFieldType =
  | LexNull
  | LexBoolean
  | LexInteger
  | LexString
  | LexBytes
  | LexCidLink
  | LexBlob
  | LexUnknown
  | LexRef
  | LexRefUnion
  | LexArray
  | LexObject

export type LexParamType = LexBoolean | LexInteger | LexString | LexUnknown | (LexArray & { items: LexParamItem })
export type LexParamItem = LexBoolean | LexInteger | LexString | LexUnknown

export interface LexXrpcParameters extends Described {
  type: 'params'
  properties: Record<string, LexParamType>
  required?: string[]
}
export interface LexXrpcBody extends Described {
  encoding: string
  schema?: LexObject | LexRef | LexRefUnion
}
export interface LexXrpcError extends Described {
  name: string
}
export interface LexXrpcQuery extends Described {
  type: 'query'
  parameters?: LexXrpcParameters
  output?: LexXrpcBody
  errors?: LexXrpcError[]
}
export interface LexXrpcProcedure extends Described {
  type: 'procedure'
  parameters?: LexXrpcParameters
  input?: LexXrpcBody
  output?: LexXrpcBody
  errors?: LexXrpcError[]
}
export interface LexXrpcSubscription extends Described {
  type: 'subscription'
  parameters?: LexXrpcParameters
  message: { description?: string; schema: LexRefUnion }
  errors?: LexXrpcError[]
}
export interface LexRecord extends Described {
  type: 'record'
  key: string
  record: LexObject
}
export interface LexPermission {
  type: 'permission'
  resource: string
  [field: string]: unknown
}
export interface LexPermissionSet extends Described {
  type: 'permission-set'
  title?: string
  'title:lang'?: Record<string, string>
  detail?: string
  'detail:lang'?: Record<string, string>
  permissions: LexPermission[]
}

export type LexPrimary = LexRecord | LexXrpcQuery | LexXrpcProcedure | LexXrpcSubscription | LexPermissionSet
export type LexXrpcMethod = LexXrpcQuery | LexXrpcProcedure | LexXrpcSubscription

/** What may appear under a document's `defs` (no ref, union, unknown, params or permission there). */
export type LexUserType =
  | LexPrimary
  | LexToken
  | LexObject
  | LexArray
  | LexNull
  | LexBoolean
  | LexInteger
  | LexString
  | LexBytes
  | LexCidLink
  | LexBlob

export interface LexiconDoc {
  lexicon: 1
  id: string
  revision?: number
  description?: string
  defs: Record<string, LexUserType>
}
