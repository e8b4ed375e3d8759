/**
 * Password login: the identifier is a handle, an email address (contains '@') or a DID, compared
 * lowercase. Unknown identifiers cost the same scrypt time as wrong passwords, and both get the same
 * 401 message, so responses do not reveal which accounts exist.
 * Not here (part 2): app passwords, email two-factor.
 */
import { AuthRequiredError } from '@stratus/core/xrpc'
import { verifyDummyPassword, verifyPassword } from '../auth/password.ts'
import type { PdsDatabase } from '../db/index.ts'
import { type AccountRow, getAccountByDid, getAccountByEmail, getAccountByHandle } from './store.ts'

/** Longest password accepted at login (longer stored ones cannot exist; this only bounds the work). */
const LOGIN_PASSWORD_MAX = 512

export function findAccountByIdentifier(db: PdsDatabase, identifier: string): AccountRow | undefined {
  const id = identifier.trim().toLowerCase()
  if (id.includes('@')) return getAccountByEmail(db, id)
  if (id.startsWith('did:')) return getAccountByDid(db, identifier.trim())
  return getAccountByHandle(db, id)
}

export async function login(db: PdsDatabase, identifier: string, password: string): Promise<AccountRow> {
  if (password.length > LOGIN_PASSWORD_MAX)
    throw new AuthRequiredError('Password too long. Consider resetting your password.')
  const account = findAccountByIdentifier(db, identifier)
  const ok = account?.password_hash
    ? await verifyPassword(password, account.password_hash)
    : await verifyDummyPassword(password)
  if (!account || !ok) throw new AuthRequiredError('Invalid identifier or password')
  return account
}
