/**
 * Row shapes of the PDS tables, as better-sqlite3 returns them. One interface per table, next to the
 * migration that creates it; append yours when you add a migration.
 */

/** 001-accounts: one row per hosted account. */
export interface AccountRow {
  did: string
  /** Lowercase; null when the account has no handle. */
  handle: string | null
  /** Lowercase. */
  email: string | null
  /** `scrypt$…` (see auth/password.ts); null when password login is disabled. */
  password_hash: string | null
  /** Hex private key of the account's repo signing key (k256). */
  signing_key: string
  created_at: string
  email_confirmed_at: string | null
  deactivated_at: string | null
  takedown_ref: string | null
}

/** 001-accounts: refresh tokens by JWT id (`jti`). */
export interface RefreshTokenRow {
  id: string
  did: string
  /** ISO time after which the token is refused (shortened to the grace window once used). */
  expires_at: string
  /** The id of the token issued when this one was used; reuse inside the grace window re-issues it. */
  next_id: string | null
  app_password_name: string | null
}
