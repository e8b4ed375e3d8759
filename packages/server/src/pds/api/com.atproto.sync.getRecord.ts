/**
 * com.atproto.sync.getRecord: a CAR (root = the head commit) proving the record — the commit, the MST path
 * to the key and the record block — or, when there is no such record, proving its absence (as the official
 * PDS does: the proof is verifiable either way).
 */
import { recordProofCar } from '@stratus/core/repo'
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { type SyncAuth, assertRepoAvailable, repoReader, repoRoot, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.getRecord',
    ({ params, auth }) => {
      const did = params.did as string
      assertRepoAvailable(ctx, did, auth)
      const root = repoRoot(ctx, did)
      const key = `${params.collection as string}/${params.rkey as string}`
      const car = recordProofCar(repoReader(ctx).blockStore(did), root.cid, [key])
      return { encoding: 'application/vnd.ipld.car', body: car }
    },
    { auth: syncAuth(ctx) },
  )
}
