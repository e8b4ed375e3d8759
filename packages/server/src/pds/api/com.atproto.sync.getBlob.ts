/**
 * com.atproto.sync.getBlob: a blob referenced by one of the account's records (uploads not yet referenced
 * are never served). The headers keep browsers from rendering or sniffing it: a blob is user content on our
 * origin, so HTML or SVG in it must not run (CSP sandbox, nosniff, attachment).
 */
import { CID } from '@stratus/core/data'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { type SyncAuth, assertRepoAvailable, blobReader, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.getBlob',
    async ({ params, auth }) => {
      const did = params.did as string
      assertRepoAvailable(ctx, did, auth)
      let cid: CID
      try {
        cid = CID.parse(params.cid as string)
      } catch {
        throw new InvalidRequestError('Invalid blob CID')
      }
      const blob = await blobReader(ctx).getBlob(did, cid)
      if (!blob) throw new InvalidRequestError('Blob not found', 'BlobNotFound')
      return {
        encoding: blob.mimeType || 'application/octet-stream',
        body: blob.stream(),
        headers: {
          'content-length': String(blob.size),
          'x-content-type-options': 'nosniff',
          'content-disposition': `attachment; filename="${cid.toString()}"`,
          'content-security-policy': "default-src 'none'; sandbox",
        },
      }
    },
    { auth: syncAuth(ctx) },
  )
}
