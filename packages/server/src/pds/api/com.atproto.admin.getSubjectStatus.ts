/**
 * com.atproto.admin.getSubjectStatus: the takedown (and, for accounts, deactivation) status of an account
 * (`did`), a record (`uri`) or a blob (`did` + `blob`). Unknown subjects: 400 NotFound.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccountByDid } from '../accounts/store.ts'
import { blobTakedownRef, parseRecordUri, recordTakedownRef } from '../admin/takedowns.ts'
import type { PdsContext } from '../context.ts'

const attr = (ref: string | null) => (ref ? { applied: true, ref } : { applied: false })

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.query(
    'com.atproto.admin.getSubjectStatus',
    ({ params }) => {
      const { did, uri, blob } = params as { did?: string; uri?: string; blob?: string }
      if (uri) {
        const at = parseRecordUri(uri)
        const cid = ctx.repo?.recordCid(at.host, at.collection as string, at.rkey as string)
        if (!cid) throw new InvalidRequestError('Subject not found', 'NotFound')
        const body = {
          subject: { $type: 'com.atproto.repo.strongRef', uri, cid: cid.toString() },
          takedown: attr(recordTakedownRef(ctx.db, uri)),
        }
        return { encoding: 'application/json', body }
      }
      if (blob) {
        if (!did) throw new InvalidRequestError('Must provide a did to request blob state')
        if (!ctx.db.stmt('SELECT 1 FROM blob WHERE did = ? AND cid = ?').get(did, blob))
          throw new InvalidRequestError('Subject not found', 'NotFound')
        const body = {
          subject: { $type: 'com.atproto.admin.defs#repoBlobRef', did, cid: blob },
          takedown: attr(blobTakedownRef(ctx.db, did, blob)),
        }
        return { encoding: 'application/json', body }
      }
      if (!did) throw new InvalidRequestError('No provided subject')
      const account = getAccountByDid(ctx.db, did)
      if (!account) throw new InvalidRequestError('Subject not found', 'NotFound')
      const body = {
        subject: { $type: 'com.atproto.admin.defs#repoRef', did },
        takedown: attr(account.takedown_ref),
        deactivated: account.deactivated_at ? { applied: true } : { applied: false },
      }
      return { encoding: 'application/json', body }
    },
    { auth: ctx.auth.admin() },
  )
}
