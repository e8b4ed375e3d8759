/**
 * com.atproto.repo.putRecord: create or replace the record at `collection/rkey`. Writing the exact record
 * already stored is a no-op (no commit, `commit` omitted), as with the official PDS. `swapRecord`: a CID
 * the current record must have, or null for "must not exist yet".
 */
import type { LexMap } from '@stratus/core/data'
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { enforceWritePoints } from '../limits.ts'
import { commitMeta, parseCidParam, repoOf, writeAuth, writeRateLimit, writerDid } from '../repo/handler-util.ts'
import { prepareRecordWrite } from '../repo/prepare.ts'
import { recordUri } from '../repo/records.ts'

interface Input {
  repo: string
  collection: string
  rkey: string
  validate?: boolean
  record: LexMap
  swapRecord?: string | null
  swapCommit?: string
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    'com.atproto.repo.putRecord',
    async ({ input, auth }) => {
      const body = input?.body as Input
      const did = writerDid(ctx, auth, body.repo)
      enforceWritePoints(ctx.limits, did, 2)
      const repo = repoOf(ctx)
      const swapCommit = parseCidParam(body.swapCommit, 'swapCommit')
      const swapCid = body.swapRecord === null ? null : parseCidParam(body.swapRecord, 'swapRecord')
      // Create or update is decided in the write's own turn, after any write queued before it.
      const { write, commit } = await repo.write(() => {
        const current = repo.recordCid(did, body.collection, body.rkey)
        const write = prepareRecordWrite(ctx.lexicons, {
          action: current ? 'update' : 'create',
          collection: body.collection,
          rkey: body.rkey,
          record: body.record,
          validate: body.validate,
          swapCid,
        })
        return { write, commit: current?.equals(write.cid) ? null : repo.processWrites(did, [write], { swapCommit }) }
      })
      return {
        encoding: 'application/json',
        body: {
          uri: recordUri(did, write.collection, write.rkey),
          cid: write.cid.toString(),
          commit: commit ? commitMeta(commit) : undefined,
          validationStatus: write.validationStatus,
        },
      }
    },
    { auth: writeAuth(ctx), rateLimit: writeRateLimit(ctx) },
  )
}
