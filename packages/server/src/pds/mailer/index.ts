/**
 * Mail from the PDS (`ctx.mailer`, an {@link Outbox}): password resets, email confirmation and change,
 * account deletion and PLC-operation codes, operator messages. Queued in the database with the token they
 * carry, delivered by SMTP when `emailSmtpUrl` is configured, otherwise written as `.eml` + `.json` files
 * into `<dataDir>/mail/` (the default, for development and small servers).
 */
import { join } from 'node:path'
import type { PdsContext } from '../context.ts'
import { FileTransport } from './file.ts'
import { Outbox } from './outbox.ts'
import { SmtpTransport } from './smtp.ts'
import type { MailTransport } from './transport.ts'

export { FileTransport } from './file.ts'
export { type Envelope, type MailMessage, MailError, formatMessage } from './message.ts'
export { Outbox, type OutboxOptions } from './outbox.ts'
export { SmtpTransport, parseSmtpUrl, type SmtpOptions } from './smtp.ts'
export { type TokenMailKind, adminMail, tokenMail } from './templates.ts'
export type { MailTransport } from './transport.ts'

/** Where the file transport writes (`<dataDir>/mail`). */
export function mailDir(dataDir: string): string {
  return join(dataDir, 'mail')
}

/** Builds ctx.mailer and runs its delivery timer while the server is up. */
export function installMailer(ctx: PdsContext): Outbox {
  const transport: MailTransport = ctx.cfg.emailSmtpUrl
    ? new SmtpTransport({ url: ctx.cfg.emailSmtpUrl, heloName: ctx.cfg.hostname })
    : new FileTransport(mailDir(ctx.cfg.dataDir))
  const outbox = new Outbox(ctx.db, transport, { from: ctx.cfg.emailFromAddress, logger: ctx.logger })
  ctx.mailer = outbox
  ctx.hooks.started.push(() => outbox.start())
  ctx.hooks.closing.push(() => outbox.stop())
  return outbox
}
