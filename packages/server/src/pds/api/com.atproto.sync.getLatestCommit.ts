/** com.atproto.sync.getLatestCommit: the CID and rev of the account's head commit. */
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { type SyncAuth, assertRepoAvailable, repoRoot, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.getLatestCommit',
    ({ params, auth }) => {
      const did = params.did as string
      assertRepoAvailable(ctx, did, auth)
      const root = repoRoot(ctx, did)
      return { encoding: 'application/json', body: { cid: root.cid.toString(), rev: root.rev } }
    },
    { auth: syncAuth(ctx) },
  )
}
