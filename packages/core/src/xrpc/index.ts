/**
 * XRPC for clients and servers alike (browser-safe): the XRPCError family with the spec's error names,
 * a fetch-based client, the event-stream frame codec, and the event-stream (WebSocket) subscription client.
 * Does NOT validate bodies against lexicons (callers hold the Lexicons) and does not retry or reconnect.
 */
export {
  XRPCError,
  InvalidRequestError,
  AuthRequiredError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitExceededError,
  InternalServerError,
  MethodNotImplementedError,
  UpstreamFailureError,
  NotEnoughResourcesError,
  UpstreamTimeoutError,
  errorNameForStatus,
  statusForErrorName,
  type XRPCErrorOptions,
} from './errors.ts'
export {
  XrpcClient,
  type XrpcClientOptions,
  type CallOptions,
  type XrpcResponse,
  type ProcedureInput,
} from './client.ts'
export {
  encodeFrame,
  decodeFrame,
  encodeMessageFrame,
  encodeErrorFrame,
  FrameError,
  type FrameHeader,
  type MessageFrame,
  type ErrorFrame,
} from './frames.ts'
export { subscribe, subscriptionUrl, StreamClosedError, type SubscribeOptions } from './subscribe.ts'
export { appendParams, type QueryParams } from './params.ts'
export {
  createServiceJwt,
  serviceAuthHeaders,
  verifyServiceJwt,
  bearerToken,
  type ServiceJwtPayload,
  type CreateServiceJwtOptions,
  type VerifyServiceJwtOptions,
} from './service-auth.ts'
