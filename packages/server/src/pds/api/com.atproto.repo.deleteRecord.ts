/**
 * com.atproto.repo.deleteRecord: removes one record as one commit. Deleting a record that does not exist
 * is a no-op (200, no `commit`), as with the official PDS.
 */
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { enforceWritePoints } from '../limits.ts'
import { commitMeta, parseCidParam, repoOf, writeAuth, writeRateLimit, writerDid } from '../repo/handler-util.ts'
import { prepareDelete } from '../repo/prepare.ts'

interface Input {
  repo: string
  collection: string
  rkey: string
  swapRecord?: string
  swapCommit?: string
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.repo.deleteRecord',
    async ({ input, auth }) => {
      const body = input?.body as Input
      const did = writerDid(ctx, auth, body.repo)
      enforceWritePoints(ctx.limits, did, 1)
      const repo = repoOf(ctx)
      const swapCommit = parseCidParam(body.swapCommit, 'swapCommit')
      const swapCid = parseCidParam(body.swapRecord, 'swapRecord')
      const write = prepareDelete({ collection: body.collection, rkey: body.rkey, swapCid })
      const commit = await repo.write(() =>
        repo.recordCid(did, write.collection, write.rkey) ? repo.processWrites(did, [write], { swapCommit }) : null,
      )
      return { encoding: 'application/json', body: commit ? { commit: commitMeta(commit) } : {} }
    },
    { auth: writeAuth(ctx), rateLimit: writeRateLimit(ctx) },
  )
}
