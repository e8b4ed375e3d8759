/**
 * The XRPC error family: an HTTP status plus the spec's error name (`error`) and a human message, sent as
 * `{ "error": "Name", "message": "…" }`. Subclasses fix the status and default name; every one accepts a
 * more specific name from the method's lexicon (e.g. `new InvalidRequestError('…', 'RecordNotFound')`).
 * Default names follow the official implementation (401 is `AuthenticationRequired`, as clients expect).
 */

const DEFAULT_NAMES: Record<number, string> = {
  400: 'InvalidRequest',
  401: 'AuthenticationRequired',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'InvalidRequest',
  406: 'NotAcceptable',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  426: 'InvalidRequest',
  429: 'RateLimitExceeded',
  500: 'InternalServerError',
  501: 'MethodNotImplemented',
  502: 'UpstreamFailure',
  503: 'NotEnoughResources',
  504: 'UpstreamTimeout',
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Invalid Request',
  401: 'Authentication Required',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Rate Limit Exceeded',
  500: 'Internal Server Error',
  501: 'Method Not Implemented',
  502: 'Upstream Failure',
  503: 'Not Enough Resources',
  504: 'Upstream Timeout',
}

/** The spec's generic error name for an HTTP status (what a server sends without a more specific one). */
export function errorNameForStatus(status: number): string {
  return DEFAULT_NAMES[status] ?? (status >= 500 ? 'InternalServerError' : status >= 400 ? 'InvalidRequest' : 'Unknown')
}

const STATUS_BY_NAME: Record<string, number> = {
  InvalidRequest: 400,
  ExpiredToken: 400,
  InvalidToken: 400,
  AuthenticationRequired: 401,
  AuthRequired: 401,
  Forbidden: 403,
  NotFound: 404,
  PayloadTooLarge: 413,
  RateLimitExceeded: 429,
  InternalServerError: 500,
  MethodNotImplemented: 501,
  UpstreamFailure: 502,
  NotEnoughResources: 503,
  UpstreamTimeout: 504,
}

/** A status for an error that arrived without one (an event-stream error frame): known names, else 400. */
export function statusForErrorName(name: string): number {
  return STATUS_BY_NAME[name] ?? 400
}

export interface XRPCErrorOptions {
  /** Extra response headers (e.g. RateLimit-*, WWW-Authenticate). */
  headers?: Record<string, string>
  cause?: unknown
}

export class XRPCError extends Error {
  override name = 'XRPCError'
  readonly status: number
  /** The spec/lexicon error name, e.g. 'InvalidRequest', 'RecordNotFound'. */
  readonly error: string
  readonly headers: Record<string, string>

  constructor(status: number, error?: string, message?: string, opts: XRPCErrorOptions = {}) {
    super(message || DEFAULT_MESSAGES[status] || error || `HTTP ${status}`, { cause: opts.cause })
    this.status = status
    this.error = error || errorNameForStatus(status)
    this.headers = opts.headers ?? {}
  }

  toJSON(): { error: string; message?: string } {
    return this.message ? { error: this.error, message: this.message } : { error: this.error }
  }
}

export class InvalidRequestError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(400, errorName ?? 'InvalidRequest', message, opts)
  }
}

export class AuthRequiredError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(401, errorName ?? 'AuthenticationRequired', message, opts)
  }
}

export class ForbiddenError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(403, errorName ?? 'Forbidden', message, opts)
  }
}

/** 404. Note that most lexicons report missing things as 400 with a specific name (e.g. RecordNotFound). */
export class NotFoundError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(404, errorName ?? 'NotFound', message, opts)
  }
}

export class PayloadTooLargeError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(413, errorName ?? 'PayloadTooLarge', message, opts)
  }
}

export class RateLimitExceededError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(429, errorName ?? 'RateLimitExceeded', message, opts)
  }
}

export class InternalServerError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(500, errorName ?? 'InternalServerError', message, opts)
  }
}

export class MethodNotImplementedError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(501, errorName ?? 'MethodNotImplemented', message, opts)
  }
}

export class UpstreamFailureError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(502, errorName ?? 'UpstreamFailure', message, opts)
  }
}

export class NotEnoughResourcesError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(503, errorName ?? 'NotEnoughResources', message, opts)
  }
}

export class UpstreamTimeoutError extends XRPCError {
  constructor(message?: string, errorName?: string, opts?: XRPCErrorOptions) {
    super(504, errorName ?? 'UpstreamTimeout', message, opts)
  }
}
