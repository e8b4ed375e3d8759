/**
 * What people and operators need around an account (PDS part 2):
 *   account.status / delete_after / invites_disabled   operator statuses (suspended, desynchronized,
 *                       throttled), the deletion date a deactivating user asked for, invite privileges
 *   app_password        per-account app passwords (scrypt hash keyed by the DID, so a login can look one up)
 *   email_token         one pending token per account and purpose (reset_password, confirm_email,
 *                       update_email, delete_account, plc_operation); stored as sha-256, never in clear
 *   invite_code(_use)   invite codes and who used them
 *   account_pref        app.bsky preferences, one row per preference, in the order the client gave them
 *   record_takedown, blob_takedown   admin takedowns of single records and blobs
 *   mail_outbox         mail waiting for delivery (written in the transaction that creates the token)
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE account ADD COLUMN status TEXT`.execute(db)
  await sql`ALTER TABLE account ADD COLUMN delete_after TEXT`.execute(db)
  await sql`ALTER TABLE account ADD COLUMN invites_disabled INTEGER NOT NULL DEFAULT 0`.execute(db)
  await sql`
    CREATE TABLE app_password (
      did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
      name TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      privileged INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (did, name)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX app_password_hash_idx ON app_password (did, password_hash)`.execute(db)
  await sql`
    CREATE TABLE email_token (
      did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
      purpose TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      requested_at TEXT NOT NULL,
      PRIMARY KEY (did, purpose)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX email_token_lookup_idx ON email_token (purpose, token_hash)`.execute(db)
  await sql`
    CREATE TABLE invite_code (
      code TEXT PRIMARY KEY NOT NULL,
      available_uses INTEGER NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0,
      for_account TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`.execute(db)
  await sql`CREATE INDEX invite_code_for_account_idx ON invite_code (for_account)`.execute(db)
  await sql`
    CREATE TABLE invite_code_use (
      code TEXT NOT NULL REFERENCES invite_code (code) ON DELETE CASCADE,
      used_by TEXT NOT NULL,
      used_at TEXT NOT NULL,
      PRIMARY KEY (code, used_by)
    ) WITHOUT ROWID`.execute(db)
  await sql`CREATE INDEX invite_code_use_used_by_idx ON invite_code_use (used_by)`.execute(db)
  await sql`
    CREATE TABLE account_pref (
      did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      name TEXT NOT NULL,
      value_json TEXT NOT NULL,
      PRIMARY KEY (did, position)
    ) WITHOUT ROWID`.execute(db)
  await sql`
    CREATE TABLE record_takedown (
      uri TEXT PRIMARY KEY NOT NULL,
      did TEXT NOT NULL,
      ref TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`.execute(db)
  await sql`CREATE INDEX record_takedown_did_idx ON record_takedown (did)`.execute(db)
  await sql`
    CREATE TABLE blob_takedown (
      did TEXT NOT NULL,
      cid TEXT NOT NULL,
      ref TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (did, cid)
    ) WITHOUT ROWID`.execute(db)
  await sql`
    CREATE TABLE mail_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      recipient TEXT NOT NULL,
      subject TEXT NOT NULL,
      body_text TEXT NOT NULL,
      kind TEXT NOT NULL,
      created_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT
    )`.execute(db)
  await sql`CREATE INDEX mail_outbox_next_idx ON mail_outbox (next_attempt_at)`.execute(db)
}
