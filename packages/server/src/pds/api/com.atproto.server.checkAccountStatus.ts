/**
 * com.atproto.server.checkAccountStatus: what a person moving an account here checks before activating —
 * whether it is activated, whether the DID points here, and how much of the repository and its blobs
 * arrived. Blob counts read the blob module's tables (read-only).
 */
import type { XrpcRouter } from '../../http/index.ts'
import { isDidDocValidForService } from '../accounts/lifecycle.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { ACCESS_STANDARD, AuthScope } from '../auth/scopes.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { countRecords } from '../repo/records.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  const count = (sql: string, did: string) => (ctx.db.stmt(sql).get(did) as { n: number }).n
  router.query<AccessCredentials>(
    'com.atproto.server.checkAccountStatus',
    async ({ auth }) => {
      const did = auth.did
      const root = ctx.repo?.getRoot(did)
      const body = {
        activated: getAccountByDid(ctx.db, did)?.deactivated_at === null,
        validDid: await isDidDocValidForService(ctx, did),
        repoCommit: root?.cid.toString() ?? '',
        repoRev: root?.rev ?? '',
        repoBlocks: ctx.repo?.blockStore(did).countBlocks() ?? 0,
        indexedRecords: countRecords(ctx.db, did),
        privateStateValues: 0,
        expectedBlobs: count('SELECT count(DISTINCT blob_cid) AS n FROM record_blob WHERE did = ?', did),
        importedBlobs: count('SELECT count(*) AS n FROM blob WHERE did = ? AND temp = 0', did),
      }
      return { encoding: 'application/json', body }
    },
    { auth: ctx.auth.access({ scopes: [...ACCESS_STANDARD, AuthScope.Takendown] }) },
  )
}
