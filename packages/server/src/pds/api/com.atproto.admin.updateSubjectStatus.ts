/**
 * com.atproto.admin.updateSubjectStatus: takedown (and, for accounts, deactivation) of an account
 * (`repoRef`), a record (`strongRef`) or a blob (`repoBlobRef`), applied or reversed. Account changes
 * announce `#account`; record and blob takedowns hide them from reads (admin/takedowns.ts).
 */
import { datetimeNow } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { setAccountTakedown, setDeactivatedByAdmin } from '../accounts/lifecycle.ts'
import { setBlobTakedown, setRecordTakedown } from '../admin/takedowns.ts'
import type { PdsContext } from '../context.ts'

interface StatusAttr {
  applied: boolean
  ref?: string
}
interface Input {
  subject: { $type?: string; did?: string; uri?: string; cid?: string }
  takedown?: StatusAttr
  deactivated?: StatusAttr
}

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.updateSubjectStatus',
    ({ input }) => {
      const { subject, takedown, deactivated } = (input?.body ?? {}) as Input
      const ref = (a: StatusAttr) => (a.applied ? (a.ref ?? datetimeNow()) : null)
      switch (subject.$type) {
        case 'com.atproto.admin.defs#repoRef':
          if (takedown) setAccountTakedown(ctx, subject.did as string, ref(takedown))
          if (deactivated) setDeactivatedByAdmin(ctx, subject.did as string, deactivated.applied)
          break
        case 'com.atproto.repo.strongRef':
          if (takedown) setRecordTakedown(ctx, subject.uri as string, ref(takedown))
          break
        case 'com.atproto.admin.defs#repoBlobRef':
          if (takedown) setBlobTakedown(ctx, subject.did as string, subject.cid as string, ref(takedown))
          break
        default:
          throw new InvalidRequestError('Invalid subject')
      }
      return { encoding: 'application/json', body: { subject, takedown } }
    },
    { auth: ctx.auth.admin() },
  )
}
