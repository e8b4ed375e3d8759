/**
 * com.atproto.repo.listMissingBlobs: blobs the account's records reference that were never uploaded here
 * (after an importRepo), by CID, `limit` (1–1000, default 500) at a time.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { repoOf } from '../repo/handler-util.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<AccessCredentials>(
    'com.atproto.repo.listMissingBlobs',
    ({ params, auth }) => {
      const { limit = 500, cursor } = params as { limit?: number; cursor?: string }
      const blobs = repoOf(ctx).blobs.listMissing(auth.did, { limit, cursor })
      return { encoding: 'application/json', body: { blobs, cursor: blobs.at(-1)?.cid } }
    },
    { auth: ctx.auth.access() },
  )
}
