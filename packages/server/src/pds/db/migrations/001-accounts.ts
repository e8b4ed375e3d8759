/**
 * Accounts and their refresh tokens. Timestamps are ISO 8601 strings (UTC, milliseconds, 'Z'), which
 * compare correctly as text. Handles and emails are stored normalized (lowercase).
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE account (
      did TEXT PRIMARY KEY NOT NULL,
      handle TEXT UNIQUE,
      email TEXT UNIQUE,
      password_hash TEXT,
      signing_key TEXT NOT NULL,
      created_at TEXT NOT NULL,
      email_confirmed_at TEXT,
      deactivated_at TEXT,
      takedown_ref TEXT
    )`.execute(db)
  await sql`
    CREATE TABLE refresh_token (
      id TEXT PRIMARY KEY NOT NULL,
      did TEXT NOT NULL REFERENCES account (did) ON DELETE CASCADE,
      expires_at TEXT NOT NULL,
      next_id TEXT,
      app_password_name TEXT
    )`.execute(db)
  await sql`CREATE INDEX refresh_token_did_idx ON refresh_token (did)`.execute(db)
}
