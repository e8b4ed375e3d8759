/**
 * Changing an account's password (resetPassword, admin updateAccountPassword, `stratus account
 * reset-password`): the new password is checked like a sign-up password, hashed, stored, and every session
 * of the account ends (refresh tokens revoked; access tokens run out within their short lifetime). App
 * passwords are kept: they are separate credentials the person manages on their own.
 */
import { InvalidRequestError } from '@stratus/core/xrpc'
import { MAX_PASSWORD_LENGTH, hashPassword } from '../auth/password.ts'
import type { PdsDatabase } from '../db/index.ts'

export function checkNewPassword(password: unknown): string {
  if (typeof password !== 'string' || password === '')
    throw new InvalidRequestError('Password is required', 'InvalidPassword')
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new InvalidRequestError(
      `Password too long. Maximum length is ${MAX_PASSWORD_LENGTH} characters.`,
      'InvalidPassword',
    )
  }
  return password
}

/** Hashes and stores `password`, revokes every refresh token; `also` runs in the same transaction. */
export async function setPassword(db: PdsDatabase, did: string, password: string, also?: () => void): Promise<void> {
  const hash = await hashPassword(checkNewPassword(password))
  db.transact(() => {
    const changed = db.stmt('UPDATE account SET password_hash = ? WHERE did = ?').run(hash, did).changes
    if (changed === 0) throw new InvalidRequestError('Account not found', 'AccountNotFound')
    db.stmt('DELETE FROM refresh_token WHERE did = ?').run(did)
    also?.()
  })
}
