/**
 * com.atproto.repo.uploadBlob: streams the body to disk (size limit: the PDS's blob upload limit, 413
 * beyond it), hashing it to its raw CID and sniffing its media type (the declared Content-Type is the
 * fallback). The blob stays temporary — not served — until a record references it.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { repoOf } from '../repo/handler-util.ts'

function asChunks(body: unknown): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    return (async function* () {
      yield body
    })()
  }
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body)
    return body as AsyncIterable<Uint8Array>
  // The router parses JSON bodies even on streamed routes, losing the exact bytes.
  throw new InvalidRequestError('Upload the blob with its own media type (JSON bodies cannot be stored byte for byte)')
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.repo.uploadBlob',
    async ({ input, auth }) => {
      const body = asChunks(input?.body)
      const blob = await repoOf(ctx).blobs.upload(auth.did, input?.encoding ?? '', body)
      return { encoding: 'application/json', body: { blob } }
    },
    { auth: ctx.auth.access({ checkTakedown: true }), maxBodyBytes: ctx.cfg.blobUploadLimit, streamInput: true },
  )
}
