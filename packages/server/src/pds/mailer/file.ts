/**
 * The default mail transport: every message becomes two files in `<dataDir>/mail/` — the RFC 5322 message
 * (`.eml`, opens in any mail client) and a JSON summary (`{from, to, subject, text, kind, sentAt}`) for
 * scripts and tests — named `<time>-<kind>-<random>` so a directory listing is in sending order. Each file
 * is written to a temporary name and renamed, so a reader never sees half a message.
 * Meant for development and for small servers whose operator forwards codes by hand; nothing is deleted.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Envelope, formatMessage } from './message.ts'
import type { MailTransport } from './transport.ts'

export class FileTransport implements MailTransport {
  constructor(readonly dir: string) {}

  async send(mail: Envelope): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const now = new Date()
    const kind = mail.kind.replace(/[^a-z0-9_-]/gi, '_')
    const base = `${now.toISOString().replace(/[:.]/g, '-')}-${kind}-${randomBytes(4).toString('hex')}`
    const summary = {
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      kind: mail.kind,
      sentAt: now.toISOString(),
    }
    writeAtomically(join(this.dir, `${base}.eml`), formatMessage(mail, { date: now }))
    writeAtomically(join(this.dir, `${base}.json`), `${JSON.stringify(summary, null, 2)}\n`)
  }
}

function writeAtomically(path: string, data: string): void {
  const tmp = `${path}.tmp`
  writeFileSync(tmp, data, { mode: 0o600 })
  renameSync(tmp, path)
}
