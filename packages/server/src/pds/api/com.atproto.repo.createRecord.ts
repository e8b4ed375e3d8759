/**
 * com.atproto.repo.createRecord: one new record (TID key unless `rkey` is given) as one commit. As the
 * official PDS does, a like/repost/follow/block whose subject the account already likes/reposts/follows/
 * blocks replaces the earlier record in the same commit (unless validate is false).
 */
import type { LexMap } from '@stratus/core/data'
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { enforceWritePoints } from '../limits.ts'
import {
  andThen,
  commitMeta,
  parseCidParam,
  repoOf,
  writeAuth,
  writeRateLimit,
  writerDid,
} from '../repo/handler-util.ts'
import { type PreparedWrite, prepareDelete, prepareRecordWrite } from '../repo/prepare.ts'
import { recordUri } from '../repo/records.ts'

interface Input {
  repo: string
  collection: string
  rkey?: string
  validate?: boolean
  record: LexMap
  swapCommit?: string
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.repo.createRecord',
    ({ input, auth }) => {
      const body = input?.body as Input
      const did = writerDid(ctx, auth, body.repo)
      enforceWritePoints(ctx.limits, did, 3)
      const repo = repoOf(ctx)
      const swapCommit = parseCidParam(body.swapCommit, 'swapCommit')
      const write = prepareRecordWrite(ctx.lexicons, {
        action: 'create',
        collection: body.collection,
        rkey: body.rkey,
        record: body.record,
        validate: body.validate,
      })
      // Backlinks are read in the write's own turn, so a write queued just before it is seen.
      const commit = repo.write(() => {
        const writes: PreparedWrite[] = []
        if (body.validate !== false) {
          for (const rkey of repo.backlinkConflicts(did, write.collection, write.record)) {
            writes.push(prepareDelete({ collection: write.collection, rkey }))
          }
        }
        writes.push(write)
        return repo.processWrites(did, writes, { swapCommit })
      })
      // Not an async function: a write that ran at once answers in the same synchronous step.
      return andThen(commit, (c) => ({
        encoding: 'application/json',
        body: {
          uri: recordUri(did, write.collection, write.rkey),
          cid: write.cid.toString(),
          commit: commitMeta(c),
          validationStatus: write.validationStatus,
        },
      }))
    },
    { auth: writeAuth(ctx), rateLimit: writeRateLimit(ctx) },
  )
}
