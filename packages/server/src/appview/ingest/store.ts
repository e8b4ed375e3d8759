/**
 * The sync kit's store in the AppView database: the stream cursor (one row per stream URL, so pointing the
 * AppView at another relay starts fresh), per-repository sync state, and — for exact resyncs — the records
 * the AppView holds for an account, read from the `record` table.
 */
import type { BatchAck, RepoState, SyncStore } from '@stratus/core/sync'
import type { Db } from '../db/index.ts'
import { type StatementCtx, prepared } from '../db/prepared.ts'
import { didRecords } from '../indexing/util.ts'

const upsertCursor = prepared((db, a) =>
  db
    .insertInto('sync_cursor')
    .values({ name: a(0), value: a(1) as unknown as number })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: (eb) => eb.ref('excluded.value') })),
)
const upsertRepo = prepared((db, a) =>
  db
    .insertInto('sync_repo')
    .values({ did: a(0), rev: a(1), data: a(2), status: a(3) })
    .onConflict((oc) =>
      oc.column('did').doUpdateSet({
        rev: (eb) => eb.ref('excluded.rev'),
        data: (eb) => eb.ref('excluded.data'),
        status: (eb) => eb.ref('excluded.status'),
      }),
    ),
)

export class DbSyncStore implements SyncStore {
  constructor(
    readonly db: Db,
    readonly cursorName: string,
    /** Where to start when no cursor is stored yet. */
    readonly initialCursor?: number,
  ) {}

  async getCursor(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sync_cursor')
      .select('value')
      .where('name', '=', this.cursorName)
      .executeTakeFirst()
    return row ? Number(row.value) : this.initialCursor
  }

  async setCursor(cursor: number): Promise<void> {
    await this.db
      .insertInto('sync_cursor')
      .values({ name: this.cursorName, value: cursor })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: cursor }))
      .execute()
  }

  async getRepo(did: string): Promise<RepoState | undefined> {
    const row = await this.db.selectFrom('sync_repo').selectAll().where('did', '=', did).executeTakeFirst()
    if (!row) return undefined
    return { rev: row.rev, data: row.data ?? undefined, status: row.status === 'active' ? 'active' : 'desynchronized' }
  }

  async setRepo(did: string, state: RepoState): Promise<void> {
    const values = { rev: state.rev, data: state.data ?? null, status: state.status }
    await this.db
      .insertInto('sync_repo')
      .values({ did, ...values })
      .onConflict((oc) => oc.column('did').doUpdateSet(values))
      .execute()
  }

  /** Writes a batch's acknowledgement inside the batch's transaction (sync kit `persistInHandler`). */
  async saveAck(ctx: StatementCtx, ack: BatchAck): Promise<void> {
    for (const [did, st] of ack.repos) await upsertRepo.run(ctx, [did, st.rev, st.data ?? null, st.status])
    if (ack.cursor !== undefined) await upsertCursor.run(ctx, [this.cursorName, ack.cursor])
  }

  async listRecords(did: string): Promise<Map<string, string>> {
    const rows = await didRecords(this.db, did).select(['collection', 'rkey', 'cid']).execute()
    return new Map(rows.map((r) => [`${r.collection}/${r.rkey}`, r.cid]))
  }
}
