/**
 * Pluggable validation for the XRPC router. `lexiconValidator(lexicons)` adapts a core `Lexicons` set:
 * params coerced and checked, JSON input and output checked against the method's schema, the method's
 * declared input encoding enforced. Methods the lexicons do not know pass through unvalidated (services may
 * add their own methods). Without any validator the router passes raw params and bodies through.
 *
 * Input problems become 400 InvalidRequest with the validator's message; output problems become a plain
 * Error (the router answers 500 without details and reports the message through onError).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'

export type RawParams = Record<string, string | string[] | undefined>

export interface MethodInfo {
  type: 'query' | 'procedure' | 'subscription'
  /** The declared input media type (procedures); undefined when the method takes no input. */
  inputEncoding?: string
}

export interface XrpcValidator {
  method(nsid: string): MethodInfo | undefined
  params(nsid: string, raw: RawParams): Record<string, unknown>
  input(nsid: string, body: unknown): void
  output(nsid: string, body: unknown): void
  message?(nsid: string, type: string, body: unknown): void
}

/** The part of core/lexicon's `Lexicons` the router uses. */
export interface LexiconsLike {
  getMethod(
    nsid: string,
  ): { type: 'query' | 'procedure' | 'subscription'; input?: { encoding: string } } | { type: string } | undefined
  assertValidXrpcParams(nsid: string, params: RawParams): Record<string, unknown>
  assertValidXrpcInput(nsid: string, body: unknown): void
  assertValidXrpcOutput(nsid: string, body: unknown): void
  assertValidXrpcMessage?(nsid: string, message: unknown, type?: string): void
}

export function lexiconValidator(lexicons: LexiconsLike): XrpcValidator {
  const known = (nsid: string) => {
    const m = lexicons.getMethod(nsid)
    return m && (m.type === 'query' || m.type === 'procedure' || m.type === 'subscription') ? m : undefined
  }
  return {
    method(nsid) {
      const m = known(nsid) as { type: MethodInfo['type']; input?: { encoding: string } } | undefined
      if (!m) return undefined
      return { type: m.type, inputEncoding: m.type === 'procedure' ? m.input?.encoding : undefined }
    },
    params(nsid, raw) {
      if (!known(nsid)) return raw
      return asInvalidRequest(() => lexicons.assertValidXrpcParams(nsid, raw))
    },
    input(nsid, body) {
      if (known(nsid)) asInvalidRequest(() => lexicons.assertValidXrpcInput(nsid, body))
    },
    output(nsid, body) {
      if (!known(nsid)) return
      try {
        lexicons.assertValidXrpcOutput(nsid, body)
      } catch (err) {
        throw new Error(`output of ${nsid} does not match its lexicon: ${(err as Error).message}`, { cause: err })
      }
    },
    message(nsid, type, body) {
      if (known(nsid) && lexicons.assertValidXrpcMessage) lexicons.assertValidXrpcMessage(nsid, body, type)
    },
  }
}

function asInvalidRequest<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new InvalidRequestError((err as Error).message || 'Invalid request')
  }
}

/** Does media type `actual` satisfy the declared `expected` ('image/*', '*\/*', exact; parameters ignored)? */
export function encodingMatches(expected: string, actual: string): boolean {
  const [eType, eSub] = baseType(expected).split('/')
  const [aType, aSub] = baseType(actual).split('/')
  if (!aType || !aSub) return false
  if (eType === '*') return true
  if (eType !== aType) return false
  return eSub === '*' || eSub === aSub
}

/** 'Application/JSON; charset=utf-8' → 'application/json'. */
export function baseType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase()
}
