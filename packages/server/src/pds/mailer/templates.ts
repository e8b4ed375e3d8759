/**
 * The texts of the mails the PDS sends. Plain text only; every one names the account and what to do with
 * the code, and says what to do if the recipient did not ask for it.
 */
import type { MailMessage } from './message.ts'

export type TokenMailKind = 'reset_password' | 'confirm_email' | 'update_email' | 'delete_account' | 'plc_operation'

const TEXTS: Record<TokenMailKind, { subject: string; intro: string }> = {
  reset_password: {
    subject: 'Password reset code',
    intro: 'Someone asked to reset the password of your account',
  },
  confirm_email: {
    subject: 'Confirm your email address',
    intro: 'Please confirm the email address of your account',
  },
  update_email: {
    subject: 'Email address change code',
    intro: 'Someone asked to change the email address of your account',
  },
  delete_account: {
    subject: 'Account deletion code',
    intro: 'Someone asked to permanently delete your account',
  },
  plc_operation: {
    subject: 'Identity change code',
    intro:
      'Someone asked to sign a change to the identity (DID) of your account — usually to move it to another server —',
  },
}

/** The mail carrying an email token. */
export function tokenMail(
  kind: TokenMailKind,
  to: string,
  opts: { token: string; handle: string; service: string },
): MailMessage {
  const t = TEXTS[kind]
  const text = [
    `${t.intro} ${opts.handle} on ${opts.service}.`,
    '',
    'Your code is:',
    '',
    `    ${opts.token}`,
    '',
    'Enter it in your app within 15 minutes.',
    '',
    'If you did not ask for this, you can ignore this message: nothing changes without the code.',
    '',
  ].join('\n')
  return { to, subject: t.subject, text, kind }
}

/** A message from the operator (com.atproto.admin.sendEmail). */
export function adminMail(to: string, subject: string, content: string): MailMessage {
  return { to, subject, text: content, kind: 'admin' }
}
