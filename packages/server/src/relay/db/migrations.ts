/**
 * The relay's tables (SQLite or PostgreSQL, through Kysely): upstream hosts, per-account sync state and a
 * small key/value table (the event log's durable head). Sequence numbers and counters are BIGINT; text
 * timestamps are ISO 8601 UTC. The event log itself is not in the database (see log/event-log.ts).
 */
import { type Kysely, sql } from 'kysely'
import type { Migration } from '../../db/index.ts'

const initial: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      CREATE TABLE relay_host (
        id INTEGER PRIMARY KEY NOT NULL,
        hostname TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        cursor BIGINT,
        trusted INTEGER NOT NULL DEFAULT 0,
        account_limit INTEGER,
        rate_limit INTEGER,
        account_count INTEGER NOT NULL DEFAULT 0,
        accepted BIGINT NOT NULL DEFAULT 0,
        rejected BIGINT NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_event_at TEXT
      )`.execute(db)
    await sql`
      CREATE TABLE relay_account (
        did TEXT PRIMARY KEY NOT NULL,
        host_id INTEGER NOT NULL,
        head TEXT,
        rev TEXT,
        data TEXT,
        upstream_status TEXT NOT NULL,
        relay_status TEXT,
        desync INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
      )`.execute(db)
    await sql`CREATE INDEX relay_account_host_idx ON relay_account (host_id)`.execute(db)
    await sql`CREATE TABLE relay_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)`.execute(db)
  },
}

export const RELAY_MIGRATIONS: Record<string, Migration> = { '001-relay': initial }
