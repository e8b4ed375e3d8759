/**
 * com.atproto.sync.getRepo: the repository as a CAR (root = the head commit), streamed in chunks.
 * The blocks are read in one synchronous step so the export is one consistent commit even if the account
 * writes (and garbage-collects old blocks) while the client is still downloading.
 *
 * Without `since`: every block reachable from the head, in tree order. With `since` (a rev the client
 * holds): the head commit and the live blocks added by later commits (each block row keeps the rev that
 * last added it, see repo/block-store.ts), as the official PDS does; blocks stored before revs were
 * recorded are always included, which keeps the answer a superset of what the client lacks.
 */
import { writeCar } from '@stratus/core/data'
import { repoBlocks } from '@stratus/core/repo'
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import type { AccountBlockStore } from '../repo/block-store.ts'
import { type SyncAuth, assertRepoAvailable, repoReader, repoRoot, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.getRepo',
    ({ params, auth }) => {
      const did = params.did as string
      const since = params.since as string | undefined
      assertRepoAvailable(ctx, did, auth)
      const root = repoRoot(ctx, did)
      const store = repoReader(ctx).blockStore(did)
      const own = 'exportCar' in store ? (store as AccountBlockStore) : undefined
      const body =
        since !== undefined && own
          ? writeCar([root.cid], own.blocksSince(since))
          : (own?.exportCar() ?? writeCar([root.cid], [...repoBlocks(store, root.cid)]))
      return { encoding: 'application/vnd.ipld.car', body }
    },
    { auth: syncAuth(ctx) },
  )
}
