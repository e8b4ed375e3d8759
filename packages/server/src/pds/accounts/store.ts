/**
 * Account rows: lookups by DID, handle or email, insertion, listing, status. Synchronous (better-sqlite3)
 * so callers can combine them inside one `db.transact`. Handles and emails are compared lowercase.
 * Does NOT validate inputs (see handle.ts, email.ts) or hash passwords (auth/password.ts).
 */
import { InvalidRequestError, type XRPCError } from '@stratus/core/xrpc'
import type { PdsDatabase } from '../db/index.ts'
import type { AccountRow } from '../db/schema.ts'

export type { AccountRow }

/** The `status` values of com.atproto.sync.getRepoStatus and `#account` events (every inactive state). */
export type AccountStatus = 'takendown' | 'suspended' | 'deleted' | 'deactivated' | 'desynchronized' | 'throttled'

/** Statuses an operator sets directly (account.status); the others come from takedown_ref / deactivated_at. */
export const OPERATOR_STATUSES = ['suspended', 'desynchronized', 'throttled'] as const
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number]

/** The fields that decide an account's status. */
export type StatusFields = Pick<AccountRow, 'takedown_ref' | 'deactivated_at'> & { status?: string | null }

export function getAccountByDid(db: PdsDatabase, did: string): AccountRow | undefined {
  return db.stmt('SELECT * FROM account WHERE did = ?').get(did) as AccountRow | undefined
}

export function getAccountByHandle(db: PdsDatabase, handle: string): AccountRow | undefined {
  return db.stmt('SELECT * FROM account WHERE handle = ?').get(handle.toLowerCase()) as AccountRow | undefined
}

export function getAccountByEmail(db: PdsDatabase, email: string): AccountRow | undefined {
  return db.stmt('SELECT * FROM account WHERE email = ?').get(email.toLowerCase()) as AccountRow | undefined
}

/** By DID when `id` starts with 'did:', else by handle. */
export function getAccount(db: PdsDatabase, id: string): AccountRow | undefined {
  return id.startsWith('did:') ? getAccountByDid(db, id) : getAccountByHandle(db, id)
}

export interface NewAccount {
  did: string
  handle: string
  email: string | null
  passwordHash: string | null
  /** Hex private key. */
  signingKey: string
  createdAt: string
}

/** Inserts the row; throws better-sqlite3's SQLITE_CONSTRAINT_UNIQUE if the DID, handle or email exists. */
export function insertAccount(db: PdsDatabase, a: NewAccount): void {
  db.stmt(
    `INSERT INTO account (did, handle, email, password_hash, signing_key, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(a.did, a.handle.toLowerCase(), a.email?.toLowerCase() ?? null, a.passwordHash, a.signingKey, a.createdAt)
}

/** Accounts ordered by creation (then DID), `limit` at a time after `cursor` (the last row's `created_at::did`). */
export function listAccounts(
  db: PdsDatabase,
  opts: { limit?: number; cursor?: string } = {},
): { accounts: AccountRow[]; cursor?: string } {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000)
  const [at, did] = opts.cursor ? splitCursor(opts.cursor) : ['', '']
  const rows = db
    .stmt(
      `SELECT * FROM account WHERE (created_at, did) > (?, ?)
       ORDER BY created_at, did LIMIT ?`,
    )
    .all(at, did, limit) as AccountRow[]
  const last = rows[rows.length - 1]
  return { accounts: rows, cursor: rows.length === limit && last ? `${last.created_at}::${last.did}` : undefined }
}

function splitCursor(cursor: string): [string, string] {
  const i = cursor.indexOf('::')
  return i < 0 ? [cursor, ''] : [cursor.slice(0, i), cursor.slice(i + 2)]
}

/**
 * `{active, status}` as getSession, checkAccountStatus, getRepoStatus and #account events report it; no row
 * means deleted. When several apply, the strongest wins: takendown, suspended, deactivated, desynchronized,
 * throttled. Every status other than active means: no records, blobs or repo served, no commits emitted.
 */
export function accountStatus(a: StatusFields | undefined): { active: boolean; status?: AccountStatus } {
  if (!a) return { active: false, status: 'deleted' }
  if (a.takedown_ref) return { active: false, status: 'takendown' }
  if (a.status === 'suspended') return { active: false, status: 'suspended' }
  if (a.deactivated_at) return { active: false, status: 'deactivated' }
  if (a.status === 'desynchronized' || a.status === 'throttled') return { active: false, status: a.status }
  return { active: true }
}

export function isAccountActive(a: StatusFields | undefined): boolean {
  return accountStatus(a).active
}

/**
 * The error a read of an account's repo, records or blobs gets when the account is not active (the
 * com.atproto.sync.* lexicons' names: RepoNotFound, RepoTakendown, RepoSuspended, RepoDeactivated), or
 * null when it may be served. Desynchronized and throttled accounts are inactive too (RepoDeactivated).
 * Callers let the account itself and admins read anyway, as the official PDS does.
 */
export function repoUnavailableError(a: StatusFields | undefined, id = 'repo'): XRPCError | null {
  const { active, status } = accountStatus(a)
  if (active) return null
  switch (status) {
    case 'deleted':
      return new InvalidRequestError(`Could not find repo for DID: ${id}`, 'RepoNotFound')
    case 'takendown':
      return new InvalidRequestError(`Repo has been takendown: ${id}`, 'RepoTakendown')
    case 'suspended':
      return new InvalidRequestError(`Repo has been suspended: ${id}`, 'RepoSuspended')
    default:
      return new InvalidRequestError(`Repo has been ${status}: ${id}`, 'RepoDeactivated')
  }
}

export function isUniqueViolation(err: unknown): boolean {
  return (
    (err as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (err as { code?: string })?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}
