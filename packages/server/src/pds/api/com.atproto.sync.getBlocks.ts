/** com.atproto.sync.getBlocks: the requested blocks of the account's current repository as a CAR without roots. */
import { type Block, CID, writeCarBytes } from '@stratus/core/data'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import type { PdsContext } from '../context.ts'
import { type SyncAuth, assertRepoAvailable, repoReader, syncAuth } from '../sequencer/repo-access.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query<SyncAuth>(
    'com.atproto.sync.getBlocks',
    ({ params, auth }) => {
      const did = params.did as string
      assertRepoAvailable(ctx, did, auth)
      const raw = params.cids as string[] | string | undefined
      const cids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(parseCid)
      const store = repoReader(ctx).blockStore(did)
      const blocks: Block[] = []
      const missing: string[] = []
      for (const cid of cids) {
        const bytes = store.get(cid)
        if (bytes) blocks.push({ cid, bytes })
        else missing.push(cid.toString())
      }
      if (missing.length > 0)
        throw new InvalidRequestError(`Could not find cids: ${missing.join(',')}`, 'BlockNotFound')
      return { encoding: 'application/vnd.ipld.car', body: writeCarBytes([], blocks) }
    },
    { auth: syncAuth(ctx) },
  )
}

function parseCid(s: string): CID {
  try {
    return CID.parse(s)
  } catch {
    throw new InvalidRequestError(`Invalid CID: ${s.slice(0, 100)}`)
  }
}
