/**
 * com.atproto.repo.applyWrites: up to 200 creates/updates/deletes as ONE commit — all applied or none
 * (any failing write, swap or blob check aborts the whole transaction). Results in request order.
 */
import type { LexMap } from '@stratus/core/data'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { AccessCredentials } from '../auth/verifier.ts'
import type { PdsContext } from '../context.ts'
import { enforceWritePoints } from '../limits.ts'
import { commitMeta, parseCidParam, repoOf, writeAuth, writeRateLimit, writerDid } from '../repo/handler-util.ts'
import { type PreparedWrite, prepareDelete, prepareRecordWrite } from '../repo/prepare.ts'
import { recordUri } from '../repo/records.ts'
import { MAX_WRITES } from '../repo/service.ts'

const NS = 'com.atproto.repo.applyWrites'

type Write =
  | { $type: `${typeof NS}#create`; collection: string; rkey?: string; value: LexMap }
  | { $type: `${typeof NS}#update`; collection: string; rkey: string; value: LexMap }
  | { $type: `${typeof NS}#delete`; collection: string; rkey: string }

interface Input {
  repo: string
  validate?: boolean
  writes: Write[]
  swapCommit?: string
}

const POINTS = { create: 3, update: 2, delete: 1 }

function prepare(ctx: PdsContext, w: Write, validate: boolean | undefined): PreparedWrite {
  switch (w.$type) {
    case `${NS}#create`:
    case `${NS}#update`: {
      const action = w.$type === `${NS}#create` ? 'create' : 'update'
      return prepareRecordWrite(ctx.lexicons, {
        action,
        collection: w.collection,
        rkey: w.rkey,
        record: w.value,
        validate,
      })
    }
    case `${NS}#delete`:
      return prepareDelete({ collection: w.collection, rkey: w.rkey })
    default:
      throw new InvalidRequestError(`Action not supported: ${(w as { $type?: unknown }).$type}`)
  }
}

function result(did: string, w: PreparedWrite) {
  if (w.action === 'delete') return { $type: `${NS}#deleteResult` }
  return {
    $type: `${NS}#${w.action}Result`,
    uri: recordUri(did, w.collection, w.rkey),
    cid: w.cid.toString(),
    validationStatus: w.validationStatus,
  }
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure<AccessCredentials>(
    NS,
    async ({ input, auth }) => {
      const body = input?.body as Input
      const did = writerDid(ctx, auth, body.repo)
      if (body.writes.length > MAX_WRITES) throw new InvalidRequestError(`Too many writes. Max: ${MAX_WRITES}`)
      const writes = body.writes.map((w) => prepare(ctx, w, body.validate))
      enforceWritePoints(
        ctx.limits,
        did,
        writes.reduce((n, w) => n + POINTS[w.action], 0),
      )
      const swapCommit = parseCidParam(body.swapCommit, 'swapCommit')
      const repo = repoOf(ctx)
      const commit = await repo.write(() => repo.processWrites(did, writes, { swapCommit }))
      return {
        encoding: 'application/json',
        body: { commit: commitMeta(commit), results: writes.map((w) => result(did, w)) },
      }
    },
    { auth: writeAuth(ctx), rateLimit: writeRateLimit(ctx) },
  )
}
