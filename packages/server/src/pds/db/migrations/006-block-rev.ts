/**
 * Repo blocks learn two things (speed of writes, and getRepo `since`):
 * - `rev`: the revision of the commit that last added the block, so getRepo with `since` can send only the
 *   blocks newer than the client's copy. Blocks stored before this step have none (NULL) and are always sent
 *   (a superset is a valid answer).
 * - blocks whose reference count reaches zero are no longer deleted inside the write: each delete touched a
 *   random page of the (repo, cid) index, half the pages a small write dirtied. They stay (refs <= 0,
 *   invisible to readers) and are deleted in batches; `repo_block_dead_idx` finds them without a scan.
 */
import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE repo_block ADD COLUMN rev TEXT`.execute(db)
  await sql`CREATE INDEX repo_block_dead_idx ON repo_block (repo) WHERE refs <= 0`.execute(db)
}
