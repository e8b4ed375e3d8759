/**
 * Invite codes (when `inviteRequired` is on): `<hostname with '-' for '.'>-xxxxx-xxxxx`, each usable
 * `available_uses` times, owned by an account or by 'admin', disabled one by one or per account. A code is
 * spent inside the account-creation transaction (checked again there, so two sign-ups cannot both take
 * the last use). Views follow com.atproto.server.defs#inviteCode. Errors: InvalidInviteCode.
 */
import { randomBytes } from 'node:crypto'
import { toBase32 } from '@stratus/core/bytes'
import { datetimeNow } from '@stratus/core/syntax'
import { InvalidRequestError } from '@stratus/core/xrpc'
import type { PdsDatabase } from '../db/index.ts'
import type { InviteCodeRow, InviteCodeUseRow } from '../db/schema.ts'

export interface InviteCodeView {
  code: string
  available: number
  disabled: boolean
  forAccount: string
  createdBy: string
  createdAt: string
  uses: { usedBy: string; usedAt: string }[]
}

export function newInviteCode(hostname: string): string {
  const s = toBase32(randomBytes(8)).slice(0, 10)
  return `${hostname.replaceAll('.', '-')}-${s.slice(0, 5)}-${s.slice(5)}`
}

/** Creates `count` codes for each account in `forAccounts` (default ['admin']). */
export function createInviteCodes(
  db: PdsDatabase,
  opts: { hostname: string; count: number; useCount: number; forAccounts?: string[]; createdBy?: string },
): { account: string; codes: string[] }[] {
  if (!Number.isInteger(opts.useCount) || opts.useCount < 1)
    throw new InvalidRequestError('useCount must be at least 1')
  const accounts = opts.forAccounts?.length ? opts.forAccounts : ['admin']
  const now = datetimeNow()
  const insert = db.stmt(
    'INSERT INTO invite_code (code, available_uses, disabled, for_account, created_by, created_at) VALUES (?, ?, 0, ?, ?, ?)',
  )
  return db.transact(() =>
    accounts.map((account) => {
      const codes: string[] = []
      for (let i = 0; i < opts.count; i++) {
        const code = newInviteCode(opts.hostname)
        insert.run(code, opts.useCount, account, opts.createdBy ?? 'admin', now)
        codes.push(code)
      }
      return { account, codes }
    }),
  )
}

/** Throws InvalidInviteCode unless `code` exists, is enabled, its owner is not taken down, and has a use left. */
export function ensureInviteAvailable(db: PdsDatabase, code: string): void {
  const row = db
    .stmt(
      `SELECT i.*, (SELECT count(*) FROM invite_code_use u WHERE u.code = i.code) AS used,
              a.takedown_ref AS owner_takedown
       FROM invite_code i LEFT JOIN account a ON a.did = i.for_account WHERE i.code = ?`,
    )
    .get(code) as (InviteCodeRow & { used: number; owner_takedown: string | null }) | undefined
  if (!row || row.disabled || row.owner_takedown || row.used >= row.available_uses) {
    throw new InvalidRequestError('Provided invite code not available', 'InvalidInviteCode')
  }
}

/** Records one use (call inside the account-creation transaction, after ensureInviteAvailable). */
export function useInvite(db: PdsDatabase, code: string, did: string): void {
  ensureInviteAvailable(db, code)
  db.stmt('INSERT INTO invite_code_use (code, used_by, used_at) VALUES (?, ?, ?)').run(code, did, datetimeNow())
}

function views(db: PdsDatabase, rows: InviteCodeRow[]): InviteCodeView[] {
  const usesOf = db.stmt('SELECT used_by, used_at FROM invite_code_use WHERE code = ? ORDER BY used_at DESC')
  return rows.map((r) => ({
    code: r.code,
    available: r.available_uses,
    disabled: r.disabled === 1,
    forAccount: r.for_account,
    createdBy: r.created_by,
    createdAt: r.created_at,
    uses: (usesOf.all(r.code) as InviteCodeUseRow[]).map((u) => ({ usedBy: u.used_by, usedAt: u.used_at })),
  }))
}

/** The codes an account owns (optionally without the used-up ones). */
export function accountInviteCodes(db: PdsDatabase, did: string, includeUsed = true): InviteCodeView[] {
  const rows = db
    .stmt('SELECT * FROM invite_code WHERE for_account = ? ORDER BY created_at DESC, code')
    .all(did) as InviteCodeRow[]
  const all = views(db, rows)
  return includeUsed ? all : all.filter((c) => c.uses.length < c.available)
}

/** The code `did` signed up with, if any. */
export function invitedBy(db: PdsDatabase, did: string): InviteCodeView | undefined {
  const row = db
    .stmt('SELECT i.* FROM invite_code_use u JOIN invite_code i ON i.code = u.code WHERE u.used_by = ?')
    .get(did) as InviteCodeRow | undefined
  return row ? views(db, [row])[0] : undefined
}

/** Every code, newest first ('recent') or most used first ('usage'); cursor = offset (admin listing). */
export function listInviteCodes(
  db: PdsDatabase,
  opts: { sort: 'recent' | 'usage'; limit: number; cursor?: string },
): { codes: InviteCodeView[]; cursor?: string } {
  const offset = opts.cursor && /^\d+$/.test(opts.cursor) ? Number(opts.cursor) : 0
  const order =
    opts.sort === 'usage'
      ? '(SELECT count(*) FROM invite_code_use u WHERE u.code = i.code) DESC, i.created_at DESC, i.code'
      : 'i.created_at DESC, i.code'
  const rows = db
    .stmt(`SELECT i.* FROM invite_code i ORDER BY ${order} LIMIT ? OFFSET ?`)
    .all(opts.limit, offset) as InviteCodeRow[]
  return { codes: views(db, rows), cursor: rows.length === opts.limit ? String(offset + rows.length) : undefined }
}

export function disableInviteCodes(db: PdsDatabase, opts: { codes?: string[]; accounts?: string[] }): void {
  db.transact(() => {
    for (const code of opts.codes ?? []) db.stmt('UPDATE invite_code SET disabled = 1 WHERE code = ?').run(code)
    for (const did of opts.accounts ?? []) db.stmt('UPDATE invite_code SET disabled = 1 WHERE for_account = ?').run(did)
  })
}

export function setAccountInvitesDisabled(db: PdsDatabase, did: string, disabled: boolean): void {
  db.stmt('UPDATE account SET invites_disabled = ? WHERE did = ?').run(disabled ? 1 : 0, did)
}
