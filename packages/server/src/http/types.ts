/**
 * Shapes shared by the XRPC router, its handlers and the services that register them.
 * See index.ts for the handler contract in prose.
 */
import type { RateLimiter } from './rate-limit.ts'

/** A request body as the handler sees it. JSON bodies are data-model values (CID, Uint8Array, BlobRef). */
export interface XrpcInput<B = unknown> {
  /** The request's media type without parameters, lowercased, e.g. 'application/json', 'image/png'. */
  encoding: string
  /** JSON: the parsed value. Binary: Uint8Array, or AsyncIterable<Uint8Array> for routes with streamInput. */
  body: B
}

export interface HandlerContext<A = unknown, P = Record<string, unknown>> {
  nsid: string
  /** Query parameters, coerced and defaulted by the lexicon when one is loaded, else raw strings/arrays. */
  params: P
  /** Procedures only: undefined when the method takes no input. */
  input: XrpcInput | undefined
  /** What the route's auth verifier returned (undefined for routes without one). */
  auth: A
  /** The original request (headers, signal, URL). Its body has already been consumed for procedures. */
  req: Request
  /** Aborted when the client goes away. Same as req.signal. */
  signal: AbortSignal
}

/** Body of a handler result: a JSON value (data-model form), bytes, or a stream of bytes (not buffered). */
export type HandlerBody = unknown

export interface HandlerOutput {
  encoding: string
  body: HandlerBody
  headers?: Record<string, string>
}

export type HandlerResult = HandlerOutput | Response | undefined | void

export type XrpcHandler<A = unknown> = (ctx: HandlerContext<A>) => Promise<HandlerResult> | HandlerResult

/** One message of a subscription: type (short form '#commit') and body; or a pre-encoded frame. */
export type SubscriptionMessage = { t: string; body: Record<string, unknown> } | Uint8Array

export interface SubscriptionContext<A = unknown, P = Record<string, unknown>> {
  nsid: string
  params: P
  auth: A
  req: Request
  /** Aborted when the consumer disconnects or is dropped. */
  signal: AbortSignal
}

export type SubscriptionHandler<A = unknown> = (ctx: SubscriptionContext<A>) => AsyncIterable<SubscriptionMessage>

export interface AuthContext {
  nsid: string
  req: Request
  params: Record<string, unknown>
}

/** Verifies credentials and returns what handlers get as `auth`; throws XRPCError (401/403/400) to refuse. */
export type AuthVerifier<A> = (ctx: AuthContext) => Promise<A> | A

export interface RouteRateLimit<A = unknown> {
  limiter: RateLimiter
  /** Bucket key; default the client's IP address. Return undefined to skip this limit for the request. */
  key?: (ctx: { nsid: string; req: Request; auth: A; params: Record<string, unknown> }) => string | undefined
  /** Points this call costs; default 1. */
  cost?: number
}

export interface RouteOptions<A = unknown> {
  auth?: AuthVerifier<A>
  rateLimit?: RouteRateLimit<A> | RouteRateLimit<A>[]
  /** Overrides the router's body size limit for this method (e.g. blob uploads). */
  maxBodyBytes?: number
  /** Binary input as AsyncIterable<Uint8Array> (limited, not buffered) instead of one Uint8Array. */
  streamInput?: boolean
  /**
   * Accepted input media type when no lexicon describes the method ('application/json', 'image/*', '*\/*').
   * Without either, any body is accepted (JSON parsed if sent as JSON) and a missing body gives
   * `input: undefined`. Ignored when the lexicon describes the method.
   */
  inputEncoding?: string
  /** Validate JSON output against the lexicon (default: the router's validateOutput). */
  validateOutput?: boolean
}
