/**
 * com.atproto.admin.sendEmail: the operator writes to an account's address through the outbox
 * (`comment` and `senderDid` are for the operator's records and are not mailed).
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { XrpcRouter } from '../../http/index.ts'
import { getAccountByDid } from '../accounts/store.ts'
import type { PdsContext } from '../context.ts'
import { adminMail } from '../mailer/templates.ts'

export default function register(router: XrpcRouter, ctx: PdsContext): void {
  router.procedure(
    'com.atproto.admin.sendEmail',
    ({ input }) => {
      const body = (input?.body ?? {}) as { recipientDid: string; content: string; subject?: string }
      const account = getAccountByDid(ctx.db, body.recipientDid)
      if (!account) throw new InvalidRequestError('Recipient not found', 'AccountNotFound')
      if (!account.email || !ctx.mailer) return { encoding: 'application/json', body: { sent: false } }
      ctx.mailer.enqueue(adminMail(account.email, body.subject ?? `Message from ${ctx.cfg.hostname}`, body.content))
      return { encoding: 'application/json', body: { sent: true } }
    },
    { auth: ctx.auth.admin() },
  )
}
