/**
 * com.atproto.sync.getRepo: the whole repository as a CAR (root = the head commit), streamed in ~64 KiB
 * chunks. The block list is read in one synchronous step so the export is one consistent commit even if
 * the account writes (and garbage-collects old blocks) while the client is still downloading.
 * `since` is accepted but the full repository is sent: the block store does not record the rev that added
 * each block, and a superset is a valid answer (clients ignore blocks they already have).
 */
import { writeCar } from '@stratus/core/data'
import { repoBlocks } from '@stratus/core/repo'
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { type SyncAuth, assertRepoAvailable, repoReader, repoRoot, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.getRepo',
    ({ params, auth }) => {
      const did = params.did as string
      assertRepoAvailable(ctx, did, auth)
      const root = repoRoot(ctx, did)
      const blocks = [...repoBlocks(repoReader(ctx).blockStore(did), root.cid)]
      return { encoding: 'application/vnd.ipld.car', body: writeCar([root.cid], blocks) }
    },
    { auth: syncAuth(ctx) },
  )
}
