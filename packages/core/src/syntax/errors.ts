/** The one error type every syntax validator throws; `kind` names the identifier that failed. */

export type SyntaxKind =
  | 'did'
  | 'handle'
  | 'nsid'
  | 'at-uri'
  | 'at-identifier'
  | 'record-key'
  | 'tid'
  | 'cid'
  | 'datetime'
  | 'language'
  | 'uri'

/** Longest slice of the offending input quoted in an error message (inputs can be kilobytes long). */
const QUOTE_MAX = 80

export class InvalidSyntaxError extends Error {
  readonly kind: SyntaxKind
  readonly reason: string

  constructor(kind: SyntaxKind, input: string, reason: string) {
    const shown = input.length > QUOTE_MAX ? `${input.slice(0, QUOTE_MAX)}…` : input
    super(`invalid ${kind} ${JSON.stringify(shown)}: ${reason}`)
    this.name = 'InvalidSyntaxError'
    this.kind = kind
    this.reason = reason
  }
}
