/**
 * HTTP for every service: the XRPC router and the node:http/ws adapter that serves it.
 *
 *   const router = createXrpcRouter({ lexicons, maxBodyBytes: 1 << 20 })
 *   router.query('com.atproto.repo.getRecord', async ({ params }) => ({ encoding: 'application/json', body }))
 *   router.procedure('com.atproto.repo.createRecord', handler, { auth: verifyAccess, rateLimit: { limiter } })
 *   router.subscription('com.atproto.sync.subscribeRepos', async function* ({ params, signal }) { ... })
 *   const server = await serveFetch(router, { port: 2583 })   // router.handle + router.upgrade
 *
 * Handler contract (queries and procedures) — `(ctx) => result`:
 *   ctx.nsid    the method
 *   ctx.params  query parameters; coerced/defaulted/validated by the lexicon when one is loaded, else raw
 *               (a string per key, an array for repeated keys)
 *   ctx.input   procedures: { encoding, body } — encoding is the request media type without parameters;
 *               body is the parsed JSON in data-model form (CID, Uint8Array, BlobRef-shaped objects) for JSON,
 *               a Uint8Array for other types, or an AsyncIterable<Uint8Array> for routes with streamInput
 *               (the size limit is enforced while iterating). undefined when no body was sent and none is
 *               required. Input has been checked against the lexicon before the handler runs.
 *   ctx.auth    whatever the route's `auth` verifier returned (the verifier throws XRPCError to refuse)
 *   ctx.req     the fetch Request (headers, URL; its body is already consumed for procedures)
 *   ctx.signal  aborted when the client disconnects
 * Result: `{ encoding, body, headers? }` where body is a JSON value in data-model form (for JSON encodings;
 * CIDs become {$link}, bytes {$bytes}), a Uint8Array, or a ReadableStream / AsyncIterable<Uint8Array> that is
 * streamed without buffering (e.g. getRepo); or undefined for procedures without output (200, empty body);
 * or a ready-made Response. Throw XRPCError (from '@stratus/core/xrpc') for every expected failure: it
 * becomes `{error, message}` with its status and headers. Any other exception is a 500 whose details are
 * reported through the router's `onError` and never sent to the client.
 *
 * Subscription handlers get `{ nsid, params, auth, req, signal }` and return an async iterable of
 * `{ t: '#commit', body }` messages (or pre-encoded frame bytes, to encode once for many consumers). The
 * router pulls the next message only when the socket has room; a consumer that stays stuck is dropped with
 * ConsumerTooSlow. An XRPCError thrown by the handler (e.g. FutureCursor) goes out as an error frame and
 * closes the stream. Live sources should watch `signal` to stop waiting when the consumer leaves.
 *
 * Composing with other routes: `serveFetch(req => …router.handle(req)…)` works; to keep the router's fast
 * path (no fetch Response built per call), pass an object whose `[RAW_HANDLER]` returns a Reply or Response,
 * e.g. `{ handle, upgrade: router.upgrade,
 *        [RAW_HANDLER]: (req) => isXrpc(req) ? router[RAW_HANDLER](req) : other(req) }`
 */
export { createXrpcRouter, type XrpcRouter, type XrpcRouterOptions } from './router.ts'
export type {
  AuthContext,
  AuthVerifier,
  HandlerBody,
  HandlerContext,
  HandlerOutput,
  HandlerResult,
  RouteOptions,
  RouteRateLimit,
  SubscriptionContext,
  SubscriptionHandler,
  SubscriptionMessage,
  XrpcHandler,
  XrpcInput,
} from './types.ts'
export { RateLimiter, rateLimitHeaders, type RateLimiterOptions, type RateLimitResult } from './rate-limit.ts'
export {
  lexiconValidator,
  encodingMatches,
  type LexiconsLike,
  type MethodInfo,
  type RawParams,
  type XrpcValidator,
} from './validation.ts'
export type { SubscriptionLimits } from './subscription.ts'
export {
  serveFetch,
  type FetchHandler,
  type ServeOptions,
  type ServedHandle,
  type UpgradeHandler,
  type UpgradeResult,
} from './serve.ts'
export { clientAddress } from './node-request.ts'
export { RAW_HANDLER, toResponse, type RawHandler, type Reply, type ReplyOrResponse } from './reply.ts'
export { streamFromAsyncIterable, iterateStream, readLimited, limitStream, BodyTooLargeError } from './streams.ts'
