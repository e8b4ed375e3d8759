/**
 * PlcStore over Kysely, for PostgreSQL: the writer takes a row lock on the DID (plc_did), so
 * writers in other processes serialize; the head check then sees every committed op.
 */
import type { IndexedOperation } from '@stratus/core/plc'
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Database } from '../db/index.ts'
import type { OpRow, PlcStore, RawOp } from './store.ts'
import { rawToIndexed, rowToRaw } from './store.ts'

type Db = Kysely<any>

const COLUMNS = ['did', 'cid', 'operation', 'nullified', 'created_at'] as const

export class KyselyPlcStore implements PlcStore {
  private readonly db: Db

  constructor(private readonly database: Database) {
    this.db = database.kysely
  }
  private selectOps(did: string, includeNullified: boolean) {
    let q = this.db
      .selectFrom('plc_operation')
      .select([...COLUMNS])
      .where('did', '=', did)
    if (!includeNullified) q = q.where('nullified', '=', 0)
    return q.orderBy('created_at', 'asc').orderBy('seq', 'asc')
  }

  async rawOpsForDid(did: string, includeNullified = false): Promise<RawOp[]> {
    return ((await this.selectOps(did, includeNullified).execute()) as OpRow[]).map(rowToRaw)
  }

  async opsForDid(did: string, includeNullified = false): Promise<IndexedOperation[]> {
    return (await this.rawOpsForDid(did, includeNullified)).map(rawToIndexed)
  }

  async lastOpForDid(did: string): Promise<RawOp | null> {
    const row = (await this.db
      .selectFrom('plc_operation')
      .select([...COLUMNS])
      .where('did', '=', did)
      .where('nullified', '=', 0)
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()) as OpRow | undefined
    return row ? rowToRaw(row) : null
  }

  async commitOp(entry: IndexedOperation, nullify: readonly string[], expectedHead: string | null): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      if (this.database.dialect === 'postgres') {
        await tx
          .insertInto('plc_did')
          .values({ did: entry.did })
          .onConflict((oc) => oc.column('did').doNothing())
          .execute()
        await sql`select did from plc_did where did = ${entry.did} for update`.execute(tx)
      }
      const head = await tx
        .selectFrom('plc_operation')
        .select('cid')
        .where('did', '=', entry.did)
        .where('nullified', '=', 0)
        .orderBy('created_at', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst()
      if ((head?.cid ?? null) !== expectedHead) return false
      await tx
        .insertInto('plc_operation')
        .values({
          did: entry.did,
          cid: entry.cid,
          operation: JSON.stringify(entry.operation),
          nullified: 0,
          created_at: entry.createdAt,
        })
        .execute()
      if (nullify.length > 0) {
        await tx
          .updateTable('plc_operation')
          .set({ nullified: 1 })
          .where('did', '=', entry.did)
          .where('cid', 'in', [...nullify])
          .execute()
      }
      return true
    })
  }

  async exportOps(count: number, after?: string): Promise<RawOp[]> {
    let q = this.db.selectFrom('plc_operation').select([...COLUMNS])
    if (after !== undefined) q = q.where('created_at', '>', after)
    return ((await q.orderBy('created_at', 'asc').orderBy('seq', 'asc').limit(count).execute()) as OpRow[]).map(
      rowToRaw,
    )
  }

  async latestCreatedAt(): Promise<string | null> {
    const row = await this.db
      .selectFrom('plc_operation')
      .select('created_at')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return (row?.created_at as string | undefined) ?? null
  }

  async healthCheck(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }

  async close(): Promise<void> {
    await this.database.close()
  }
}
