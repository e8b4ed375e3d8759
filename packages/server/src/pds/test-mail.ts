/**
 * Test helper (never imported by the service): reads the file mailer's output in `<dataDir>/mail/`, waiting
 * for a message to arrive (delivery runs right after the request's transaction).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { mailDir } from './mailer/index.ts'

export interface SentMail {
  file: string
  from: string
  to: string
  subject: string
  text: string
  kind: string
}

export function readMails(dataDir: string): SentMail[] {
  let names: string[]
  try {
    names = readdirSync(mailDir(dataDir))
      .filter((n) => n.endsWith('.json'))
      .sort()
  } catch {
    return []
  }
  return names.map((n) => ({ file: n, ...JSON.parse(readFileSync(join(mailDir(dataDir), n), 'utf8')) }))
}

/** The newest mail of `kind` to `to` that arrived after `after` mails were already there. */
export async function waitForMail(
  dataDir: string,
  to: string,
  kind: string,
  after = 0,
  timeoutMs = 5000,
): Promise<SentMail> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = readMails(dataDir)
      .slice(after)
      .filter((m) => m.to === to && m.kind === kind)
    if (found.length > 0) return found[found.length - 1]
    if (Date.now() > deadline) throw new Error(`no ${kind} mail to ${to}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** The `XXXXX-XXXXX` code in a mail. */
export function codeIn(mail: SentMail): string {
  const m = /\b([A-Z2-7]{5}-[A-Z2-7]{5})\b/.exec(mail.text)
  if (!m) throw new Error(`no code in mail: ${mail.text}`)
  return m[1]
}
