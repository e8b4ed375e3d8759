/** com.atproto.sync.listBlobs: CIDs of the blobs the account's records reference (`since`: linked after that rev). */
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { type SyncAuth, assertRepoAvailable, blobReader, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.listBlobs',
    ({ params, auth }) => {
      const did = params.did as string
      assertRepoAvailable(ctx, did, auth)
      const cids = blobReader(ctx).listBlobs(did, {
        since: params.since as string | undefined,
        cursor: params.cursor as string | undefined,
        limit: (params.limit as number | undefined) ?? 500,
      })
      const out = cids.map((c) => c.toString())
      return { encoding: 'application/json', body: { cursor: out.at(-1), cids: out } }
    },
    { auth: syncAuth(ctx) },
  )
}
