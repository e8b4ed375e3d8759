/**
 * The firehose event log: one row per event (`#commit`, `#sync`, `#identity`, `#account`), numbered by
 * `seq`. `payload` holds the complete event-stream frame (header + body with seq and time) so replay and
 * live fan-out send the stored bytes as they are. Rows older than the retention window are pruned, but the
 * newest row is always kept so seq numbers are never reused (see sequencer/store.ts).
 */
import { type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations run before any typed schema exists
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE repo_event (
      seq INTEGER PRIMARY KEY NOT NULL,
      did TEXT NOT NULL,
      type TEXT NOT NULL,
      payload BLOB NOT NULL,
      created_at TEXT NOT NULL
    )`.execute(db)
  await sql`CREATE INDEX repo_event_created_at_idx ON repo_event (created_at)`.execute(db)
}
