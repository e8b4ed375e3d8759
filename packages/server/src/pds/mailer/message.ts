/**
 * One outgoing mail as an RFC 5322 / MIME message: plain UTF-8 text, base64 body (safe through any SMTP
 * server, 8BITMIME or not), encoded-word subject when it is not ASCII. Addresses are checked for the
 * characters that would let a value break out of its header (CR, LF, '<', '>'); nothing else is validated.
 */
import { randomBytes } from 'node:crypto'

export interface MailMessage {
  to: string
  subject: string
  text: string
  /** What the mail is for ('reset_password', 'confirm_email', …): file names, logs. */
  kind: string
}

export interface Envelope extends MailMessage {
  from: string
}

export class MailError extends Error {
  override name = 'MailError'
}

/** Throws MailError unless `addr` is a bare address that cannot inject headers or SMTP commands. */
export function assertSafeAddress(addr: string): void {
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(addr) || addr.length > 254) throw new MailError(`unusable mail address: ${addr}`)
}

/** The complete message (CRLF line ends), ready for a .eml file or an SMTP DATA command. */
export function formatMessage(mail: Envelope, opts: { date?: Date; hostname?: string } = {}): string {
  assertSafeAddress(mail.from)
  assertSafeAddress(mail.to)
  const host = opts.hostname ?? mail.from.slice(mail.from.indexOf('@') + 1)
  const headers = [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeader(mail.subject)}`,
    `Date: ${(opts.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${host}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ]
  const body = Buffer.from(mail.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64')
  const lines = body.match(/.{1,76}/g) ?? []
  return `${headers.join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n`
}

/** A header value: as is when printable ASCII, else an RFC 2047 encoded word (UTF-8, base64). */
function encodeHeader(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ')
  if (/^[\x20-\x7e]*$/.test(clean)) return clean
  return `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`
}
