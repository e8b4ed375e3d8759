/**
 * One-time codes sent by mail: `XXXXX-XXXXX` (base32, 50 random bits, upper case; compared case-blind),
 * one pending code per account and purpose (asking again replaces it), valid for 15 minutes, spent when
 * used. Only the sha-256 of a code is stored. Errors use the lexicons' names: InvalidToken, ExpiredToken.
 *
 * `sendEmailToken` creates the code and queues the mail carrying it in ONE transaction (mailer/outbox.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { toBase32 } from '@stratus/core/bytes'
import { INVALID_HANDLE } from '@stratus/core/syntax'
import { InternalServerError, InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsContext } from '../context.ts'
import type { PdsDatabase } from '../db/index.ts'
import type { EmailTokenRow } from '../db/schema.ts'
import { type TokenMailKind, tokenMail } from '../mailer/templates.ts'
import type { AccountRow } from './store.ts'

export type EmailTokenPurpose = TokenMailKind

export const EMAIL_TOKEN_TTL_MS = 15 * 60 * 1000

/** A fresh code, e.g. `K7Q2M-ZP4XA`. */
export function newEmailToken(): string {
  const s = toBase32(randomBytes(8)).slice(0, 10).toUpperCase()
  return `${s.slice(0, 5)}-${s.slice(5)}`
}

function hashToken(token: string): string {
  return createHash('sha256').update(token.trim().toUpperCase()).digest('hex')
}

/** Stores a new code for (did, purpose), replacing any pending one; returns the code. */
export function createEmailToken(db: PdsDatabase, did: string, purpose: EmailTokenPurpose, now = Date.now()): string {
  const token = newEmailToken()
  db.stmt(
    `INSERT INTO email_token (did, purpose, token_hash, requested_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (did, purpose) DO UPDATE SET token_hash = excluded.token_hash, requested_at = excluded.requested_at`,
  ).run(did, purpose, hashToken(token), new Date(now).toISOString())
  return token
}

function checkFresh(row: EmailTokenRow | undefined, now: number): EmailTokenRow {
  if (!row) throw new InvalidRequestError('Token is invalid', 'InvalidToken')
  if (Date.parse(row.requested_at) + EMAIL_TOKEN_TTL_MS < now)
    throw new InvalidRequestError('Token is expired', 'ExpiredToken')
  return row
}

/** Throws InvalidToken / ExpiredToken unless `token` is the pending code of (did, purpose). Does not spend it. */
export function assertEmailToken(
  db: PdsDatabase,
  did: string,
  purpose: EmailTokenPurpose,
  token: string,
  now = Date.now(),
): void {
  const row = db
    .stmt('SELECT * FROM email_token WHERE did = ? AND purpose = ? AND token_hash = ?')
    .get(did, purpose, hashToken(token)) as EmailTokenRow | undefined
  checkFresh(row, now)
}

/** The account whose pending `purpose` code is `token` (password reset: the code is all the user has). */
export function didForEmailToken(db: PdsDatabase, purpose: EmailTokenPurpose, token: string, now = Date.now()): string {
  const row = db
    .stmt('SELECT * FROM email_token WHERE purpose = ? AND token_hash = ?')
    .get(purpose, hashToken(token)) as EmailTokenRow | undefined
  return checkFresh(row, now).did
}

/** Spends the code (call inside the transaction that does what it authorised). */
export function deleteEmailToken(db: PdsDatabase, did: string, purpose: EmailTokenPurpose): void {
  db.stmt('DELETE FROM email_token WHERE did = ? AND purpose = ?').run(did, purpose)
}

/** Creates a code and queues the mail carrying it to `to` (default: the account's address), atomically. */
export function sendEmailToken(
  ctx: PdsContext,
  account: AccountRow,
  purpose: EmailTokenPurpose,
  to = account.email,
): void {
  if (!to) throw new InvalidRequestError('account does not have an email address')
  const mailer = ctx.mailer
  if (!mailer) throw new InternalServerError('mail is not configured')
  ctx.db.transact(() => {
    const token = createEmailToken(ctx.db, account.did, purpose)
    const handle = account.handle ?? INVALID_HANDLE
    mailer.enqueue(tokenMail(purpose, to, { token, handle, service: ctx.cfg.hostname }))
  })
}
